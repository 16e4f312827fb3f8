import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, summarizeLine } from '../../../src/core/annotate/lineIndex';
import { filterLines } from '../../../src/core/annotate/filter';

const lines = [
  '{"instruction": "a", "output": "b", "category": "math", "review": {"status": "accepted"}}',
  '',
  '{"prompt": "p", "chosen": "x", "rejected": "y", "task": "qa"}',
  '{"prompt": "p", "responses": ["1", "2", "3"], "review": {"status": "rejected"}}',
  '{broken',
  '{"messages": [{"role": "user", "content": "Hello WORLD"}], "task": "qa", "review": {"status": "maybe"}}',
];

function built(): LineIndex {
  const index = new LineIndex();
  index.reset(lines.length);
  index.summarize((i) => lines[i], 0, lines.length);
  return index;
}

test('summaries: kind, status, task; blank and broken lines', () => {
  assert.deepEqual(summarizeLine(lines[0]), { blank: false, valid: true, kind: 'alpaca', status: 'accepted', task: 'math' });
  assert.deepEqual(summarizeLine(lines[3]), { blank: false, valid: true, kind: 'ranking', status: 'rejected' });
  assert.equal(summarizeLine(lines[1]).blank, true);
  assert.equal(summarizeLine(lines[4]).valid, false);
  // an unknown status value counts as unreviewed (and is reported in the record view, not rewritten)
  assert.equal(summarizeLine(lines[5]).status, 'unreviewed');
});

test('progress counts records, not blank lines', () => {
  assert.deepEqual(built().progress(), { records: 5, reviewed: 2, accepted: 1, rejected: 1 });
  assert.deepEqual(built().tasks(), ['math', 'qa']);
});

test('filters combine status, task, problem code and case-insensitive text', () => {
  const index = built();
  const problems = new Map<number, string[]>([[4, ['json-parse']], [2, ['identical-pair', 'too-long']]]);
  const run = (f: Parameters<typeof filterLines>[3]) => filterLines(index, (i) => lines[i], (i) => problems.get(i), f);
  assert.deepEqual(run({}), [0, 2, 3, 4, 5]);
  assert.deepEqual(run({ status: 'unreviewed' }), [2, 4, 5]);
  assert.deepEqual(run({ task: 'qa' }), [2, 5]);
  assert.deepEqual(run({ problem: 'too-long' }), [2]);
  assert.deepEqual(run({ problem: 'any' }), [2, 4]);
  assert.deepEqual(run({ text: 'hello world' }), [5]);
  assert.deepEqual(run({ text: '"responses": [' }), [3]);
  assert.deepEqual(run({ status: 'unreviewed', task: 'qa', text: 'chosen' }), [2]);
});

test('a text change shifts later summaries and leaves only the changed lines to summarize', () => {
  const index = built();
  // line 2 replaced by two lines; the rest shift down by one
  index.spliceUnsummarized(2, 1, 2);
  assert.equal(index.lineCount, 7);
  assert.equal(index.at(2), undefined);
  assert.equal(index.at(3), undefined);
  assert.equal(index.at(4)?.kind, 'ranking');
  assert.equal(index.nextPending(), 2);
  const next = [lines[0], lines[1], '{"instruction": "new", "output": "o"}', lines[2], ...lines.slice(3)];
  assert.equal(index.summarizePending((i) => next[i], 0, 7), 2);
  assert.equal(index.nextPending(), -1);
  assert.deepEqual(index.progress(), { records: 6, reviewed: 2, accepted: 1, rejected: 1 });
});

test('lines not indexed yet are listed unless the filter needs their summary', () => {
  const index = new LineIndex();
  index.reset(lines.length);
  index.summarize((i) => lines[i], 0, 1);
  assert.deepEqual(filterLines(index, (i) => lines[i], () => undefined, {}), [0, 2, 3, 4, 5]);
  assert.deepEqual(filterLines(index, (i) => lines[i], () => undefined, { status: 'accepted' }), [0]);
});
