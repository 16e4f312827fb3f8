// Formats: detection per record and per file, forcing one, and the good fixture of each format validating clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, validateFixture } from './fixtures';
import { detectFormat, validateText } from '../../../src/core/dataset/index';

test('detectFormat recognises each format from its keys', () => {
  assert.equal(detectFormat({ instruction: 'a', output: 'b' }), 'alpaca');
  assert.equal(detectFormat({ instruction: 'a', input: 'x', output: 'b' }), 'alpaca');
  assert.equal(detectFormat({ messages: [] }), 'chat');
  assert.equal(detectFormat({ prompt: 'a', completion: 'b' }), 'completion');
  assert.equal(detectFormat({ prompt: 'a', chosen: 'b', rejected: 'c' }), 'preference');
  assert.equal(detectFormat({ prompt: [{ role: 'user', content: 'a' }], chosen: [], rejected: [] }), 'preference');
  assert.equal(detectFormat({ question: 'a', answer: 'b' }), undefined);
  assert.equal(detectFormat([1, 2]), undefined);
  assert.equal(detectFormat('text'), undefined);
  assert.equal(detectFormat(null), undefined);
});

for (const [file, format, records] of [
  ['good-alpaca.jsonl', 'alpaca', 3], ['good-chat.jsonl', 'chat', 3], ['good-completion.jsonl', 'completion', 2], ['good-preference.jsonl', 'preference', 2],
] as const) {
  test(`${file}: ${format}, no problems`, async () => {
    const r = await validateFixture(file);
    assert.equal(r.format, format);
    assert.equal(r.records, records);
    assert.deepEqual(r.problems, []);
    assert.equal(r.errors + r.warnings, 0);
  });
}

test('a chat with tool calls and tool results is valid', async () => {
  const r = await validateFixture('good-chat.jsonl');
  assert.deepEqual(codes(r), []);
});

test('--format forces a format: records of another format are mixed-format, missing fields are reported', () => {
  const text = '{"prompt": "a", "completion": "b"}\n{"instruction": "x", "output": "y"}\n';
  const auto = validateText(text);
  assert.equal(auto.format, 'completion');
  assert.deepEqual(codes(auto), ['2:mixed-format']);
  const forced = validateText(text, { format: 'alpaca' });
  assert.equal(forced.format, 'alpaca');
  assert.deepEqual(codes(forced), ['1:mixed-format']);
});

test('an empty file has no records and an unknown format', () => {
  const r = validateText('');
  assert.equal(r.records, 0);
  assert.equal(r.format, 'unknown');
  assert.deepEqual(r.problems, []);
});

test('the bundled samples validate clean in their formats', async () => {
  const { validateFile } = await import('../../../src/core/dataset/index');
  const { SAMPLES } = await import('./fixtures');
  for (const [name, format] of [['alpaca', 'alpaca'], ['chat', 'chat'], ['completion', 'completion'], ['preference', 'preference'], ['multitask-train', 'alpaca'], ['multitask-eval', 'alpaca']]) {
    const r = await validateFile(`${SAMPLES}/${name}.jsonl`);
    assert.equal(r.format, format, name);
    assert.ok(r.records >= 180, `${name}: ${r.records} records`);
    assert.deepEqual(r.problems.map((p) => `${p.line}:${p.code}`), [], name);
  }
});
