import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptAll, buildPreferenceRecord, exportAccepted, toPreferenceRecords } from '../../../src/core/annotate/bulk';
import { isUsedForTraining } from '../../../src/core/annotate/review';
import { moveInRanking } from '../../../src/core/annotate/ranking';

const at = (texts: string[]) => texts.map((text, line) => ({ line, text }));

test('accept all changes only the records not accepted yet and reports the ones it cannot touch', () => {
  const { edits, skipped } = acceptAll(at([
    '{"instruction":"a","output":"b"}',
    '{"instruction":"c","output":"d","review":{"status":"accepted"}}',
    '{"instruction":"e","output":"f","review":{"status":"rejected"}}',
    'oops',
    '{"instruction":"g","output":"h","review":"fine"}',
  ]));
  assert.deepEqual(edits, [
    { line: 0, text: '{"instruction":"a","output":"b","review":{"status":"accepted"}}' },
    { line: 2, text: '{"instruction":"e","output":"f","review":{"status":"accepted"}}' },
  ]);
  assert.deepEqual(skipped.map((s) => s.line), [3, 4]);
});

test('export keeps accepted lines byte for byte', () => {
  const a = '{"z": 1,   "instruction":"a","output":"b","review":{"status":"accepted"}}';
  assert.deepEqual(exportAccepted(at(['{"instruction":"x","output":"y"}', a])), { text: `${a}\n`, count: 1 });
});

test('preference conversion: pairs from rankings, same-prompt accepted/rejected answers, and passing preference records', () => {
  const { records, skipped } = toPreferenceRecords(at([
    '{"prompt":"p","chosen":"c","rejected":"r"}',
    '{"prompt":"p2","chosen":"c","rejected":"r","review":{"mark":"both-bad"}}',
    '{"prompt":"rank","responses":["A","B","C"],"ranking":[1,2,0]}',
    '{"instruction":"Q","output":"good","review":{"status":"accepted"}}',
    '{"instruction":"Q","output":"bad","review":{"status":"rejected"}}',
    '{"instruction":"lonely","output":"x","review":{"status":"accepted"}}',
    '{"instruction":"Q","output":"meh"}',
  ]));
  assert.deepEqual(records, [
    '{"prompt":"p","chosen":"c","rejected":"r"}',
    '{"prompt":"rank","chosen":"B","rejected":"C"}',
    '{"prompt":"rank","chosen":"B","rejected":"A"}',
    '{"prompt":"rank","chosen":"C","rejected":"A"}',
    '{"prompt":"Q","chosen":"good","rejected":"bad"}',
  ]);
  assert.deepEqual(skipped.map((s) => [s.line, s.reason]), [[1, 'marked both-bad'], [5, 'no accepted and rejected answer to the same prompt'], [6, 'not reviewed']]);
});

test('buildPreferenceRecord orders by the choice and keeps ties as marked judgements', () => {
  assert.deepEqual(buildPreferenceRecord('p', 'A', 'B', 'b'), { prompt: 'p', chosen: 'B', rejected: 'A' });
  assert.deepEqual(buildPreferenceRecord('p', 'A', 'B', 'a', { generated: { seed: [1, 2] } }), { prompt: 'p', chosen: 'A', rejected: 'B', generated: { seed: [1, 2] } });
  assert.deepEqual(buildPreferenceRecord([{ role: 'user', content: 'hi' }], 'A', 'B', 'tie'), { prompt: [{ role: 'user', content: 'hi' }], chosen: 'A', rejected: 'B', review: { mark: 'tie' } });
  assert.throws(() => buildPreferenceRecord(3, 'A', 'B', 'a'), /prompt must be text/);
});

test('training use: rejected only when asked, marked pairs never', () => {
  assert.equal(isUsedForTraining({ instruction: 'a', review: { status: 'rejected' } }), false);
  assert.equal(isUsedForTraining({ instruction: 'a', review: { status: 'rejected' } }, { includeRejected: true }), true);
  assert.equal(isUsedForTraining({ prompt: 'a', chosen: 'x', rejected: 'y', review: { mark: 'tie' } }, { includeRejected: true }), false);
  assert.equal(isUsedForTraining({ instruction: 'a' }), true);
});

test('moving within a ranking', () => {
  assert.deepEqual(moveInRanking([0, 1, 2, 3], 3, 0), [3, 0, 1, 2]);
  assert.deepEqual(moveInRanking([0, 1, 2, 3], 0, 2), [1, 2, 0, 3]);
  assert.throws(() => moveInRanking([0, 1], 0, 2), RangeError);
});
