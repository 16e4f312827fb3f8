// Dedupe: exact and near, first occurrence kept, the same rules validation reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dedupeRecords, parseDataset } from '../../../src/core/dataset/index';
import { readFixture } from './fixtures';

const base = 'Earth has seasons because its axis is tilted by about 23.5 degrees, so as it orbits the Sun each hemisphere in turn leans towards it and gets longer days and more direct light.';
const text = [
  JSON.stringify({ instruction: 'Why do we have seasons?', output: base, id: 1 }),
  JSON.stringify({ instruction: 'Name a river.', output: 'The Nile.', id: 2 }),
  JSON.stringify({ instruction: 'Why do we have seasons?', output: base, id: 3 }),
  JSON.stringify({ instruction: 'why do we have seasons', output: base.replace('about', 'roughly'), id: 4 }),
  JSON.stringify({ instruction: 'Name a mountain.', output: 'Kilimanjaro.', id: 5 }),
].join('\n');

test('exact: same content (other keys aside) is removed, the first is kept', () => {
  const { kept, removed } = dedupeRecords(parseDataset(text));
  assert.deepEqual(kept.map((r) => r.value.id), [1, 2, 4, 5]);
  assert.deepEqual(removed.map((r) => [r.record.line, r.kind, r.firstLine]), [[3, 'duplicate', 1]]);
});

test('near: the lightly edited copy goes too, with its similarity', () => {
  const { kept, removed } = dedupeRecords(parseDataset(text), { near: true });
  assert.deepEqual(kept.map((r) => r.value.id), [1, 2, 5]);
  assert.equal(removed[1].kind, 'near-duplicate');
  assert.equal(removed[1].firstLine, 1);
  assert.ok(removed[1].similarity! >= 0.8 && removed[1].similarity! < 1);
});

test('a strict threshold keeps the near-duplicate', () => {
  const { kept } = dedupeRecords(parseDataset(text), { near: true, threshold: 0.99 });
  assert.deepEqual(kept.map((r) => r.value.id), [1, 2, 4, 5]);
});

test('kept records are the originals, raw text included', () => {
  const recs = parseDataset(readFixture('good-alpaca.jsonl'));
  const { kept, removed } = dedupeRecords(recs, { near: true });
  assert.equal(removed.length, 0);
  assert.deepEqual(kept, recs);
});
