import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPreviewer, PRESETS, TEMPLATE_VARIABLES } from '../../../src/core/template/index';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';

const tok = new ByteTokenizer();
const record = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Yo' }] };

test('a good template: the rendering, its tokens with trained flags, and warnings', () => {
  const p = createPreviewer();
  const r = p.preview({ source: PRESETS['byte-level'].templates.chat!, record, tokenizer: tok, bosToken: '<|bos|>', eosToken: '<|eos|>' });
  assert.ok(r.ok);
  assert.equal(r.kind, 'chat');
  assert.equal(r.rendering.text, '<|bos|><|user|>Hi<|end|><|assistant|>Yo<|end|>');
  assert.equal(r.trainedTokens, 3);
  assert.deepEqual(r.tokens!.filter((t) => t.trained).map((t) => t.text), ['Y', 'o', '<|end|>']);
  assert.deepEqual(r.warnings, []);
});

test('typing errors come back as data with the line and column to mark, never as exceptions', () => {
  const p = createPreviewer();
  const half = p.preview({ source: '{% for m in messages %}\n{{ m.content', record });
  assert.deepEqual(half, { ok: false, stage: 'template', message: half.ok ? '' : half.message, line: 2, column: 1 });
  const raised = p.preview({ source: "{% for m in messages %}\n{% if m.role == 'user' %}{{ raise_exception('no users here') }}{% endif %}{% endfor %}", record });
  assert.ok(!raised.ok && raised.stage === 'template');
  assert.equal(raised.message, 'raise_exception: no users here');
  assert.deepEqual([raised.line, raised.column], [2, 26]);
  assert.equal(raised.field, 'messages');
});

test('a record the template cannot take is a record-stage failure naming the field', () => {
  const p = createPreviewer();
  const r = p.preview({ source: '{{ instruction }}{{ output }}', record: { instruction: 'x' } });
  assert.deepEqual(r, { ok: false, stage: 'record', message: 'output: missing', field: 'output' });
});

test('warnings without a tokenizer still cover the mask', () => {
  const r = createPreviewer().preview({ source: '{{ instruction }}\n{{ output }}', record: { instruction: 'q', output: 'a' } });
  assert.ok(r.ok);
  assert.deepEqual(r.warnings.map((w) => w.code), ['no-eos']);
  assert.equal(r.tokens, undefined);
});

test('completion lists cover every variable the renderer passes', () => {
  assert.deepEqual(TEMPLATE_VARIABLES.instruction.map((v) => v.name).sort(), ['bos_token', 'eos_token', 'input', 'instruction', 'output', 'raise_exception', 'system']);
  assert.ok(TEMPLATE_VARIABLES.chat.some((v) => v.name === 'add_generation_prompt'));
});
