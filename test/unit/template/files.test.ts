import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplateFile, parseTemplateRef, selectTemplate, TemplateError, updateTemplateFile } from '../../../src/core/template/index';

// Shaped like a published tokenizer_config.json: AddedToken objects, a huge integer, odd spacing to preserve.
const config = `{
  "add_bos_token": true,
  "added_tokens_decoder": {
    "0": {"content": "<unk>", "special": true}
  },
  "bos_token": "<s>",
  "chat_template": "{{ bos_token }}{% for message in messages %}{{ message['content'] }}{% endfor %}",
  "eos_token": {
    "__type": "AddedToken",
    "content": "</s>",
    "lstrip": false
  },
  "model_max_length": 1000000000000000019884624838656,
  "spaces":   [1,2,   3]
}
`;

test('tokenizer_config.json: the chat_template string and the special tokens (AddedToken form too)', () => {
  const f = parseTemplateFile('models/x/tokenizer_config.json', config);
  assert.equal(f.kind, 'tokenizer-config');
  assert.deepEqual(f.templates, [{ name: 'default', source: "{{ bos_token }}{% for message in messages %}{{ message['content'] }}{% endfor %}" }]);
  assert.equal(f.bosToken, '<s>');
  assert.equal(f.eosToken, '</s>');
});

test('writing a template changes only its JSON value, byte for byte elsewhere', () => {
  const next = "{% for m in messages %}\n{{ 'Ç🎉\"' + m.content }}\n{% endfor %}";
  const out = updateTemplateFile('tokenizer_config.json', config, next);
  const before = JSON.stringify(parseTemplateFile('t.json', config).templates[0].source);
  assert.equal(out, config.replace(before, JSON.stringify(next)));
  assert.equal(parseTemplateFile('t.json', out).templates[0].source, next);
});

test('the list-of-named-templates form: read, select, update one, add one', () => {
  const listed = `{"chat_template": [{"name": "default", "template": "A"}, {"name": "tool_use", "template": "B"}], "eos_token": "</s>"}`;
  const f = parseTemplateFile('tokenizer_config.json', listed);
  assert.deepEqual(f.templates.map((t) => t.name), ['default', 'tool_use']);
  assert.equal(selectTemplate(f).source, 'A');
  assert.equal(selectTemplate(f, 'tool_use').source, 'B');
  assert.throws(() => selectTemplate(f, 'rag'), /no chat template named "rag" \(there are: default, tool_use\)/);
  assert.equal(updateTemplateFile('tokenizer_config.json', listed, 'B2', 'tool_use'), listed.replace('"B"', '"B2"'));
  const added = parseTemplateFile('t.json', updateTemplateFile('tokenizer_config.json', listed, 'R', 'rag'));
  assert.deepEqual(added.templates, [{ name: 'default', source: 'A' }, { name: 'tool_use', source: 'B' }, { name: 'rag', source: 'R' }]);
});

test('adding a named template to a single-string config keeps the default one', () => {
  const out = parseTemplateFile('t.json', updateTemplateFile('tokenizer_config.json', config, 'TOOLS', 'tool_use'));
  assert.deepEqual(out.templates.map((t) => t.name), ['default', 'tool_use']);
  assert.equal(out.templates[0].source, parseTemplateFile('t.json', config).templates[0].source);
});

test('a config without a chat template gets one, in the file\'s own indentation', () => {
  const out = updateTemplateFile('tokenizer_config.json', '{\n\t"bos_token": "<s>"\n}\n', 'T');
  assert.equal(out, '{\n\t"bos_token": "<s>",\n\t"chat_template": "T"\n}\n');
});

test('.jinja files are the template as written', () => {
  const src = '{% for m in messages %}\n{{ m.content }}\n{% endfor %}\n';
  assert.deepEqual(parseTemplateFile('chat_template.jinja', src).templates, [{ name: 'default', source: src }]);
  assert.equal(updateTemplateFile('chat_template.jinja', src, 'new'), 'new');
});

test('bad files fail with the file, line and column', () => {
  const err = (text: string) => {
    try { parseTemplateFile('cfg/tokenizer_config.json', text); } catch (e) { assert.ok(e instanceof TemplateError); return e.message; }
    assert.fail('expected an error');
  };
  assert.equal(err('{\n  "a": 1,\n  "b": }'), 'cfg/tokenizer_config.json:3:8: invalid JSON (ValueExpected)');
  assert.equal(err('{\n  "a": 1\n}'), 'cfg/tokenizer_config.json:1:1: has no "chat_template"');
  assert.equal(err('{\n  "chat_template": 3\n}'), 'cfg/tokenizer_config.json:2:20: "chat_template" must be a string or a list of {"name", "template"}');
  assert.match(err('{"chat_template": [{"name": "x"}]}'), /:1:20: chat_template\[0\] must be an object with string "name" and "template"/);
});

test('template references: presets by name, files by path, a named template after #', () => {
  assert.deepEqual(parseTemplateRef('chatml'), { preset: 'chatml' });
  assert.deepEqual(parseTemplateRef('./chatml'), { path: './chatml' });
  assert.deepEqual(parseTemplateRef('m/tokenizer_config.json#tool_use'), { path: 'm/tokenizer_config.json', name: 'tool_use' });
  assert.deepEqual(parseTemplateRef('t#1.jinja'), { path: 't#1.jinja' });
});
