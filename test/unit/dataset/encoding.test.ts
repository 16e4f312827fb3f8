// Text encodings and line structure: BOM, CRLF, blank lines, very long lines, multi-byte characters split across
// read chunks, and .json arrays with the line of each element.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codes, readFixture, validateFixture } from './fixtures';
import { parseDataset, parseDatasetFile, validateFile, validateText } from '../../../src/core/dataset/index';

test('BOM and CRLF: line numbers count blank lines, columns on line 1 ignore the BOM, CR is not content', async () => {
  const r = await validateFixture('bom-crlf.jsonl');
  assert.equal(r.records, 3);
  assert.deepEqual(codes(r), ['1:trailing-whitespace', '5:empty-field']);
  const line1 = readFixture('bom-crlf.jsonl').slice(1).split('\r\n')[0];
  const p = r.problems[0];
  assert.equal(line1.slice(p.column - 1, p.endColumn! - 1), '"Hi! "');
});

test('parseDataset keeps line numbers across blank lines and gives raw text without BOM or CR', () => {
  const recs = parseDataset(readFixture('bom-crlf.jsonl'));
  assert.deepEqual(recs.map((r) => r.line), [1, 4, 5]);
  assert.equal(recs[0].raw, '{"instruction": "Say hi.", "output": "Hi! "}');
  assert.equal(recs[1].value.output, 'Bye.');
  assert.equal(recs[0].format, 'alpaca');
});

test('a very long line (8 MB) is read whole, from text and streamed from disk', async () => {
  const big = 'word '.repeat(1_600_000);
  const text = `{"instruction": "Summarise.", "output": "ok"}\n{"instruction": "Echo.", "output": "${big}"}\n{"instruction": "Last.", "output": "done"}\n`;
  const dir = mkdtempSync(join(tmpdir(), 'ds-long-'));
  try {
    writeFileSync(join(dir, 'long.jsonl'), text);
    for (const r of [validateText(text), await validateFile(join(dir, 'long.jsonl'))]) {
      assert.equal(r.records, 3);
      // the long output ends with a space and is far over the default budget
      assert.deepEqual(codes(r), ['2:too-long', '2:trailing-whitespace']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('multi-byte characters split across 1 MiB read chunks are decoded intact', async () => {
  const lines: string[] = [];
  // 3-byte and 4-byte characters make chunk boundaries fall inside characters
  for (let i = 0, size = 0; size < 1.5e6; i++) {
    lines.push(JSON.stringify({ instruction: `Translate ${i}.`, output: `日本語のテキスト🎉 ${i} ${'語'.repeat((i % 50) + 1)}` }));
    size += lines[lines.length - 1].length;
  }
  lines.splice(700, 0, '{"instruction": "bad"');
  const text = lines.join('\n') + '\n';
  const dir = mkdtempSync(join(tmpdir(), 'ds-mb-'));
  try {
    const path = join(dir, 'mb.jsonl');
    writeFileSync(path, text);
    const fromFile = await validateFile(path, { nearDuplicates: false });
    const fromText = validateText(text, { nearDuplicates: false });
    assert.deepEqual(fromFile.problems, fromText.problems);
    assert.deepEqual(codes(fromFile), ['701:json-parse']);
    const recs = await parseDatasetFile(path);
    assert.equal(recs.length, lines.length - 1);
    assert.equal(recs[recs.length - 1].value.output, JSON.parse(lines[lines.length - 1]).output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('.json arrays: each element with its own first line, problems at their place in multi-line elements', async () => {
  const r = await validateFixture('array.json');
  assert.equal(r.records, 3);
  assert.deepEqual(codes(r), ['8:missing-field']);
  assert.equal(r.problems[0].column, 5);
  assert.deepEqual(r.problems[0].data, { missing: 'output', key: 'outptu', suggestion: 'output' });
  const recs = parseDataset(readFixture('array.json'), { file: 'array.json' });
  assert.deepEqual(recs.map((x) => x.line), [2, 6, 10]);
  assert.equal(recs[2].value.instruction, 'Name a metal.');
});

test('.json arrays: a broken element and a trailing comma are reported, the other elements still read', async () => {
  const r = await validateFixture('array-broken.json');
  assert.deepEqual(codes(r), ['3:json-parse', '5:json-parse']);
  assert.match(r.problems[1].message, /trailing or doubled comma/);
  assert.deepEqual(parseDataset(readFixture('array-broken.json'), { file: 'array-broken.json' }).map((x) => x.line), [2, 4]);
});

test('a .json file holding JSONL is read as lines', () => {
  const r = validateText('{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": "d"}\n', { file: 'data.json' });
  assert.equal(r.records, 2);
  assert.deepEqual(r.problems, []);
});

test('unknown keys are kept in parsed records', () => {
  const [rec] = parseDataset('{"instruction": "a", "output": "b", "meta": {"source": "x"}, "id": 7}');
  assert.deepEqual(rec.value, { instruction: 'a', output: 'b', meta: { source: 'x' }, id: 7 });
});

test('maxProblems caps the list but not the counts', () => {
  const text = Array.from({ length: 50 }, () => 'nope').join('\n');
  const r = validateText(text, { maxProblems: 5 });
  assert.equal(r.problems.length, 5);
  assert.equal(r.errors, 50);
  assert.equal(r.truncated, true);
});

test('I/O errors reject with the errno error naming the path', async () => {
  await assert.rejects(validateFile('/nonexistent/dir/x.jsonl'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  await assert.rejects(validateFile(tmpdir()), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
});
