import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, resolveChatTemplateSource, resolveTemplateRef, TemplateError, TemplateRefError, type TemplateFileAccess } from '../../../src/core/template/index';

function files(map: Record<string, string>): TemplateFileAccess {
  return {
    readText: (p) => map[p],
    isDirectory: (p) => Object.keys(map).some((k) => k.startsWith(`${p}/`)),
  };
}

const fs = files({
  'model/chat_template.jinja': '{% for m in messages %}{{ m.content }}{% endfor %}',
  'model/tokenizer_config.json': JSON.stringify({ bos_token: '<s>', eos_token: { content: '</s>' }, chat_template: [{ name: 'default', template: 'OLD' }, { name: 'rag', template: 'RAG' }] }),
  'configonly/tokenizer_config.json': JSON.stringify({ eos_token: '<|im_end|>', chat_template: 'CFG {{ messages }}' }),
  'loose.jinja': '{{ instruction }}{{ output }}{{ eos_token }}',
  'bad/tokenizer_config.json': '{"chat_template": 3}',
});
const tokens = { bosToken: '<|bos|>', eosToken: '<|eos|>' };

test('a preset name is a preset', () => {
  assert.deepEqual(resolveTemplateRef('zephyr', fs, tokens), { preset: 'zephyr' });
});

test('a model folder: chat_template.jinja first (as transformers), tokens from the config beside it', () => {
  assert.deepEqual(resolveTemplateRef('model', fs, tokens), {
    template: '{% for m in messages %}{{ m.content }}{% endfor %}', templateName: 'model/chat_template.jinja', bosToken: '<s>', eosToken: '</s>',
  });
  assert.deepEqual(resolveTemplateRef('configonly', fs, tokens), {
    template: 'CFG {{ messages }}', templateName: 'configonly/tokenizer_config.json[chat_template]', bosToken: undefined, eosToken: '<|im_end|>',
  });
});

test('a named template in the config, and a loose .jinja taking the tokenizer\'s tokens', () => {
  assert.equal(resolveTemplateRef('model/tokenizer_config.json#rag', fs).template, 'RAG');
  assert.equal(resolveTemplateRef('model/tokenizer_config.json#rag', fs).templateName, 'model/tokenizer_config.json[chat_template:rag]');
  assert.deepEqual(resolveTemplateRef('loose.jinja', fs, tokens), { template: '{{ instruction }}{{ output }}{{ eos_token }}', templateName: 'loose.jinja', ...tokens });
});

test('nothing there is a TemplateRefError; a malformed file is a TemplateError', () => {
  assert.throws(() => resolveTemplateRef('nowhere.jinja', fs), (e: unknown) => e instanceof TemplateRefError && /no such file, and not a preset/.test(e.message));
  assert.throws(() => resolveTemplateRef('bad', fs), (e: unknown) => e instanceof TemplateError && e.templateName === 'bad/tokenizer_config.json');
});

test("the model's own chat template for comparisons", () => {
  assert.equal(resolveChatTemplateSource('chatml', fs), PRESETS.chatml.templates.chat);
  assert.equal(resolveChatTemplateSource('model', fs), '{% for m in messages %}{{ m.content }}{% endfor %}');
  assert.throws(() => resolveChatTemplateSource('alpaca', fs), TemplateRefError);
});
