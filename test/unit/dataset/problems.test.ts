// Every problem code, on fixture files: each bad file has good lines around the bad one, so the tests also show
// that one bad line neither stops the scan nor leaks problems onto its neighbours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, readFixture, validateFixture } from './fixtures';
import type { ProblemDataShapes, ProblemCode } from '../../../src/core/dataset/index';

/** The characters a problem's range covers on its line. */
function covered(name: string, p: { line: number; column: number; endColumn?: number }): string {
  const line = readFixture(name).replace(/^\uFEFF/, '').split(/\r?\n/)[p.line - 1];
  return line.slice(p.column - 1, p.endColumn === undefined ? undefined : p.endColumn - 1);
}

test('json-parse: reported with its reason, the following records are still read', async () => {
  const r = await validateFixture('bad-json-parse.jsonl');
  assert.deepEqual(codes(r), ['2:json-parse']);
  assert.equal(r.records, 3);
  assert.equal(r.problems[0].severity, 'error');
  assert.match(r.problems[0].message, /^invalid JSON: expected ',' or '}'/);
  assert.equal(r.format, 'alpaca');
});

test('json-parse inside a line points at the offending character', async () => {
  const { validateText } = await import('../../../src/core/dataset/index');
  const r = validateText('{"instruction": "a", "output": "b",}\n');
  assert.equal(r.problems[0].code, 'json-parse');
  assert.equal(r.problems[0].column, 36);
  assert.equal(r.problems[0].endColumn, 37);
});

test('not-object: arrays and scalars are not records', async () => {
  const r = await validateFixture('bad-not-object.jsonl');
  assert.deepEqual(codes(r), ['2:not-object']);
  assert.deepEqual(r.problems[0].data, { actual: 'array' });
});

test('unknown-format: names the keys found', async () => {
  const r = await validateFixture('bad-unknown-format.jsonl');
  assert.deepEqual(codes(r), ['2:unknown-format']);
  assert.deepEqual(r.problems[0].data, { keys: ['question', 'answer'] });
});

test('mixed-format: a chat record in an alpaca file names the format and the first line of the file format', async () => {
  const r = await validateFixture('bad-mixed-format.jsonl');
  assert.deepEqual(codes(r), ['2:mixed-format']);
  assert.deepEqual(r.problems[0].data, { format: 'chat', expected: 'alpaca', firstLine: 1 });
});

test('missing-field: a misspelled key is pointed at, with the suggestion a quick fix needs', async () => {
  const r = await validateFixture('bad-missing-field.jsonl');
  assert.deepEqual(codes(r), ['2:missing-field']);
  const p = r.problems[0];
  assert.deepEqual(p.data, { missing: 'instruction', key: 'instrution', suggestion: 'instruction' });
  assert.equal(covered('bad-missing-field.jsonl', p), '"instrution"');
});

test('missing-field without a look-alike key covers the record', async () => {
  const { validateText } = await import('../../../src/core/dataset/index');
  const r = validateText('{"instruction": "Name a bird.", "output": "Robin."}\n{"instruction": "Name a fish.", "note": "x"}\n');
  assert.deepEqual(codes(r), ['2:missing-field']);
  assert.deepEqual(r.problems[0].data, { missing: 'output' });
  assert.equal(r.problems[0].column, 1);
});

test('wrong-type: names expected and actual types, range on the value', async () => {
  const r = await validateFixture('bad-wrong-type.jsonl');
  assert.deepEqual(codes(r), ['2:wrong-type']);
  assert.deepEqual(r.problems[0].data, { expected: 'a string', actual: 'number' });
  assert.equal(covered('bad-wrong-type.jsonl', r.problems[0]), '123');
  assert.equal(r.problems[0].field, 'output');
});

test('empty-field: whitespace-only counts as empty', async () => {
  const r = await validateFixture('bad-empty-field.jsonl');
  assert.deepEqual(codes(r), ['2:empty-field']);
  assert.equal(covered('bad-empty-field.jsonl', r.problems[0]), '"  "');
});

test('bad-role: each unknown role with the nearest valid one, range on the role string', async () => {
  const r = await validateFixture('bad-bad-role.jsonl');
  assert.deepEqual(codes(r), ['2:bad-role', '2:bad-role', '3:bad-role']);
  assert.deepEqual(r.problems.map((p) => p.data), [
    { role: 'human', suggestion: 'user' },
    { role: 'gpt', suggestion: 'assistant' },
    { role: 'asistant', suggestion: 'assistant' },
  ]);
  assert.equal(covered('bad-bad-role.jsonl', r.problems[0]), '"human"');
  assert.equal(r.problems[1].field, 'messages[1].role');
});

test('role-order: repeated turns, assistant first, no assistant, late system, stray tool, unanswered end', async () => {
  const r = await validateFixture('bad-role-order.jsonl');
  assert.deepEqual(codes(r), ['2:role-order', '3:role-order', '4:role-order', '5:role-order', '6:role-order', '7:role-order']);
  assert.deepEqual(r.problems.map((p) => (p.data as { reason: string }).reason),
    ['repeated-role', 'first-not-user', 'no-assistant', 'system-not-first', 'tool-without-call', 'ends-without-assistant']);
  assert.deepEqual(r.problems.map((p) => p.severity), ['error', 'error', 'error', 'error', 'error', 'warning']);
  assert.equal(covered('bad-role-order.jsonl', r.problems[0]), '"user"');
  assert.equal(covered('bad-role-order.jsonl', r.problems[2]), '"messages"');
});

test('duplicate: names the first line', async () => {
  const r = await validateFixture('bad-duplicate.jsonl');
  assert.deepEqual(codes(r), ['2:duplicate']);
  assert.deepEqual(r.problems[0].data, { firstLine: 1 });
  assert.match(r.problems[0].message, /line 1/);
  assert.equal(r.problems[0].severity, 'warning');
});

test('near-duplicate (default): the same text once case, spacing and punctuation are folded', async () => {
  const { validateText } = await import('../../../src/core/dataset/index');
  const text = [
    JSON.stringify({ instruction: 'Why is the sky blue?', output: 'Air scatters blue light more than red light, so the sky looks blue.' }),
    JSON.stringify({ instruction: 'Name a river.', output: 'The Nile.' }),
    JSON.stringify({ instruction: 'why is the SKY blue', output: 'Air scatters blue light more than red light; so the sky looks  blue!' }),
    JSON.stringify({ instruction: 'Why is the sky blue?', output: 'Air scatters blue light more than red light, so the sea looks blue.' }),
  ].join('\n');
  const r = validateText(text);
  assert.deepEqual(codes(r), ['3:near-duplicate']);
  assert.deepEqual(r.problems[0].data, { firstLine: 1, similarity: 1 });
  assert.deepEqual(codes(validateText(text, { nearDuplicates: false })), []);
});

test('near-duplicate (minhash): a lightly edited copy is found, with its similarity; a strict threshold or off hides it', async () => {
  assert.deepEqual(codes(await validateFixture('bad-near-duplicate.jsonl')), [], 'a one-word edit is not found by the default, normalized check');
  const r = await validateFixture('bad-near-duplicate.jsonl', { nearDuplicates: 'minhash' });
  assert.deepEqual(codes(r), ['3:near-duplicate']);
  const data = r.problems[0].data as ProblemDataShapes['near-duplicate'];
  assert.equal(data.firstLine, 1);
  assert.ok(data.similarity >= 0.8 && data.similarity < 1, `similarity ${data.similarity}`);
  const off = await validateFixture('bad-near-duplicate.jsonl', { nearDuplicates: false });
  assert.deepEqual(codes(off), []);
  const strict = await validateFixture('bad-near-duplicate.jsonl', { nearDuplicates: true, nearDuplicateThreshold: 0.99 });
  assert.deepEqual(codes(strict), []);
});

test('too-long: over the token budget, and the budget is configurable', async () => {
  const r = await validateFixture('bad-too-long.jsonl');
  assert.deepEqual(codes(r), ['2:too-long']);
  assert.deepEqual(r.problems[0].data, { tokens: 3020, maxTokens: 2048 });
  const roomy = await validateFixture('bad-too-long.jsonl', { maxTokens: 4000 });
  assert.deepEqual(codes(roomy), []);
  const tight = await validateFixture('bad-too-long.jsonl', { maxTokens: 10 });
  assert.deepEqual(codes(tight), ['1:too-long', '2:too-long', '3:too-long']);
});

test('identical-pair: chosen equal to rejected (ignoring surrounding whitespace)', async () => {
  const r = await validateFixture('bad-identical-pair.jsonl');
  assert.deepEqual(codes(r), ['2:identical-pair', '2:trailing-whitespace']);
  assert.equal(r.format, 'preference');
});

test('trailing-whitespace: a warning naming the field, range on the string', async () => {
  const r = await validateFixture('bad-trailing-whitespace.jsonl');
  assert.deepEqual(codes(r), ['2:trailing-whitespace']);
  assert.deepEqual(r.problems[0].data, { field: 'output' });
  assert.equal(covered('bad-trailing-whitespace.jsonl', r.problems[0]), '"Apple.\\n"');
  assert.equal(r.problems[0].severity, 'warning');
});

test('control-chars: names the character', async () => {
  const r = await validateFixture('bad-control-chars.jsonl');
  assert.deepEqual(codes(r), ['2:control-chars']);
  assert.deepEqual(r.problems[0].data, { field: 'output', codePoint: 'U+0000' });
});

test('every problem code is produced by some fixture', async () => {
  const { readdirSync } = await import('node:fs');
  const { FIXTURES } = await import('./fixtures');
  const seen = new Set<ProblemCode>();
  for (const f of readdirSync(FIXTURES)) for (const p of (await validateFixture(f, { nearDuplicates: 'minhash' })).problems) seen.add(p.code);
  const all: ProblemCode[] = ['json-parse', 'not-object', 'unknown-format', 'mixed-format', 'missing-field', 'wrong-type', 'empty-field',
    'bad-role', 'role-order', 'duplicate', 'near-duplicate', 'too-long', 'identical-pair', 'trailing-whitespace', 'control-chars'];
  assert.deepEqual(all.filter((c) => !seen.has(c)), []);
});

test('the bundled problems.jsonl shows every code but identical-pair', async () => {
  const { validateFile } = await import('../../../src/core/dataset/index');
  const { SAMPLES } = await import('./fixtures');
  const r = await validateFile(`${SAMPLES}/problems.jsonl`);
  const seen = new Set(r.problems.map((p) => p.code));
  assert.equal(seen.size, 14);
  assert.ok(!seen.has('identical-pair'));
});
