import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPreviewer, getPreset } from '../../../src/core/template/index';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { previewBody, recordFields } from '../../../src/host/templateEditor/previewBody';
import { MAX_PREVIEW_TOKENS } from '../../../src/shared/protocol/templateEditor';

const tokenizer = new ByteTokenizer();
const chat = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }] };

test('tokens of a real rendering: texts add up to the rendering, the trained ones are the response and its end marker', () => {
  const result = createPreviewer().preview({ source: getPreset('chatml').templates.chat!, record: chat, tokenizer, eosToken: '<|eos|>' });
  assert.ok(result.ok);
  const body = previewBody(result);
  assert.ok(body.ok);
  assert.equal(body.tokens.map((t) => t.text).join(''), result.rendering.text);
  assert.equal(body.tokenCount, result.tokens!.length);
  const trained = body.tokens.filter((t) => t.trained).map((t) => t.text).join('');
  assert.equal(trained, 'Hello!<|im_end|>');
  assert.equal(body.trainedTokens, body.tokens.filter((t) => t.trained).length);
  assert.equal(body.tokensCut, false);
  assert.equal(body.kind, 'chat');
});

test('special tokens of the tokenizer are flagged; warnings keep their code and field', () => {
  const source = '{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}';
  const result = createPreviewer().preview({ source, record: chat, tokenizer, eosToken: '<|eos|>' });
  assert.ok(result.ok);
  const body = previewBody(result);
  assert.ok(body.ok);
  assert.deepEqual(body.tokens.filter((t) => t.special).map((t) => t.text), ['<|user|>', '<|assistant|>']);
  const noEos = body.warnings.find((w) => w.code === 'no-eos');
  assert.ok(noEos, JSON.stringify(body.warnings));
  assert.equal(noEos.field, 'messages[1].content');
});

test('template errors keep line and column; record errors name the field', () => {
  const broken = createPreviewer().preview({ source: 'line one\n{% if messages %}\n{{ messages[0].content }', record: chat, tokenizer });
  const body = previewBody(broken);
  assert.equal(body.ok, false);
  if (!body.ok) {
    assert.equal(body.stage, 'template');
    if (body.stage === 'template') assert.ok(body.line >= 2, JSON.stringify(body));
  }
  const record = previewBody(createPreviewer().preview({ source: '{{ instruction }}{{ output }}', record: { instruction: 'x' }, tokenizer }));
  assert.deepEqual(record, { ok: false, stage: 'record', message: 'output: missing', field: 'output' });
});

test('a huge rendering is sent cut, and says so', () => {
  const long = { instruction: 'x'.repeat(MAX_PREVIEW_TOKENS + 10), output: 'y' };
  const body = previewBody(createPreviewer().preview({ source: '{{ instruction }} {{ output }}', record: long, tokenizer }));
  assert.ok(body.ok);
  assert.equal(body.tokens.length, MAX_PREVIEW_TOKENS);
  assert.equal(body.tokenCount, MAX_PREVIEW_TOKENS + 12);
  assert.equal(body.tokensCut, true);
});

test('record fields for completion: top-level keys and the keys of listed objects, identifiers only', () => {
  assert.deepEqual(recordFields({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y', tool_calls: [] }], topic: 't', 'bad key': 1 }), [
    'messages', 'role', 'content', 'tool_calls', 'topic',
  ]);
});
