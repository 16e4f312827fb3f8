import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentTextWith, extractTemplate, templateKindOf } from '../../../src/host/templateEditor/templateDocument';

const CONFIG = `{
    "bos_token": "<s>",
    "chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}",
    "eos_token": "</s>",
    "model_max_length": 4096
}
`;

test('a .jinja file is its own template, a tokenizer config its chat_template value', () => {
  assert.deepEqual(extractTemplate('/w/t.jinja', '{{ x }}\n'), { ok: true, source: '{{ x }}\n' });
  assert.deepEqual(extractTemplate('/m/tokenizer_config.json', CONFIG), { ok: true, source: '{% for m in messages %}{{ m.content }}{% endfor %}' });
  assert.equal(templateKindOf('/m/tokenizer_config.json', false), 'tokenizer-config');
  assert.equal(templateKindOf('/w/chat_template.jinja', false), 'jinja');
  assert.equal(templateKindOf('/w/chatml.jinja', true), 'untitled');
});

test('editing a config rewrites only the chat_template value, the rest byte for byte', () => {
  const source = '{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}{% endfor %}';
  const out = documentTextWith('/m/tokenizer_config.json', CONFIG, source);
  const lines = out.split('\n');
  const before = CONFIG.split('\n');
  assert.equal(lines.length, before.length);
  for (const i of [0, 1, 3, 4, 5, 6]) assert.equal(lines[i], before[i], `line ${i + 1}`);
  assert.deepEqual(extractTemplate('/m/tokenizer_config.json', out), { ok: true, source });
  assert.equal(JSON.parse(out).model_max_length, 4096);
});

test('a broken config is an error naming the file, line and column', () => {
  const broken = '{\n  "chat_template": "x",\n  "eos_token": \n}';
  const r = extractTemplate('/m/tokenizer_config.json', broken);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.message, /^tokenizer_config\.json:4:1: invalid JSON/);
  const missing = extractTemplate('/m/tokenizer_config.json', '{"eos_token": "</s>"}');
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.match(missing.message, /tokenizer_config\.json:1:1: has no "chat_template"/);
  assert.throws(() => documentTextWith('/m/tokenizer_config.json', broken, 'x'), /tokenizer_config\.json:4:1/);
});
