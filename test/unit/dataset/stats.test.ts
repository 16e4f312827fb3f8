// Statistics on a small file whose numbers are worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFileStats, computeStats, histogram, percentile } from '../../../src/core/dataset/index';
import { fixture, readFixture } from './fixtures';

// stats-small.jsonl: prompts (instruction + input, byte tokens) 4, 4, 8, 4; responses 3, 6, 0, 3;
// line 3 has an empty output, line 4 repeats line 1, line 5 is not JSON.
test('counts, rates and token lengths of a known file', async () => {
  const s = await computeFileStats(fixture('stats-small.jsonl'));
  assert.equal(s.records, 4);
  assert.equal(s.invalid, 1);
  assert.equal(s.format, 'alpaca');
  assert.deepEqual(s.formats, { alpaca: 4, chat: 0, completion: 0, preference: 0, unknown: 0 });
  assert.deepEqual(s.tasks, { field: 'task', counts: { t1: 3, t2: 1 } });
  assert.equal(s.duplicates, 1);
  assert.equal(s.duplicateRate, 0.25);
  assert.equal(s.empty, 1);
  assert.equal(s.emptyRate, 0.25);
  assert.equal(s.errors, 2);
  assert.equal(s.warnings, 1);
  assert.equal(s.tokenizer, 'byte-level');
  assert.deepEqual({ ...s.promptTokens, histogram: undefined }, { count: 4, mean: 5, min: 4, p50: 4, p90: 8, p99: 8, max: 8, histogram: undefined });
  assert.deepEqual({ ...s.responseTokens, histogram: undefined }, { count: 4, mean: 3, min: 0, p50: 3, p90: 6, p99: 6, max: 6, histogram: undefined });
  assert.deepEqual(s.responseTokens.histogram, { edges: [0, 1, 2, 3, 4, 5, 6, 7], counts: [1, 0, 0, 2, 0, 0, 1] });
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
});

test('computeStats on text agrees with the file version', async () => {
  const fromText = computeStats(readFixture('stats-small.jsonl'), { file: fixture('stats-small.jsonl') });
  assert.deepEqual(fromText, await computeFileStats(fixture('stats-small.jsonl')));
});

test('category is used when there is no task field; chat prompt and response split by role', () => {
  const s = computeStats([
    JSON.stringify({ messages: [{ role: 'system', content: 'ab' }, { role: 'user', content: 'cd' }, { role: 'assistant', content: 'efg' }], category: 'x' }),
    JSON.stringify({ messages: [{ role: 'user', content: 'é' }, { role: 'assistant', content: '🎉' }], category: 'y' }),
  ].join('\n'));
  assert.deepEqual(s.tasks, { field: 'category', counts: { x: 1, y: 1 } });
  assert.equal(s.promptTokens.max, 4);
  assert.equal(s.promptTokens.min, 2);
  assert.equal(s.responseTokens.max, 4);
});

test('percentiles are nearest-rank; histogram bins have round widths and cover the maximum', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(v, 0.5), 50);
  assert.equal(percentile(v, 0.9), 90);
  assert.equal(percentile(v, 0.99), 99);
  const h = histogram([0, 5, 10, 95, 120]);
  assert.deepEqual(h.edges.slice(0, 3), [0, 10, 20]);
  assert.equal(h.edges[h.edges.length - 1], 130);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), 5);
  assert.equal(h.counts[h.counts.length - 1], 1);
});
