// Train/eval split: seeded and reproducible, proportional per group when stratified, order kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitRecords } from '../../../src/core/dataset/index';

const items = Array.from({ length: 200 }, (_, i) => ({ id: i, task: i < 150 ? 'big' : i < 190 ? 'mid' : 'small' }));

test('the same seed gives the same split; another seed a different one', () => {
  const a = splitRecords(items, { evalFraction: 0.1, seed: 1 });
  const b = splitRecords(items, { evalFraction: 0.1, seed: 1 });
  const c = splitRecords(items, { evalFraction: 0.1, seed: 2 });
  assert.deepEqual(a.eval.map((x) => x.id), b.eval.map((x) => x.id));
  assert.notDeepEqual(a.eval.map((x) => x.id), c.eval.map((x) => x.id));
});

test('every record lands in exactly one part, in its original order', () => {
  const s = splitRecords(items, { evalFraction: 0.25, seed: 3 });
  assert.equal(s.eval.length, 50);
  assert.equal(s.train.length, 150);
  const all = [...s.train, ...s.eval].map((x) => x.id).sort((x, y) => x - y);
  assert.deepEqual(all, items.map((x) => x.id));
  for (const part of [s.train, s.eval]) assert.deepEqual(part.map((x) => x.id), [...part.map((x) => x.id)].sort((x, y) => x - y));
});

test('stratified: each group keeps its share, the total is round(n × fraction)', () => {
  const s = splitRecords(items, { evalFraction: 0.1, seed: 5, stratify: (x) => x.task });
  assert.deepEqual(s.groups, { big: { total: 150, eval: 15 }, mid: { total: 40, eval: 4 }, small: { total: 10, eval: 1 } });
  const count = (task: string) => s.eval.filter((x) => x.task === task).length;
  assert.deepEqual([count('big'), count('mid'), count('small')], [15, 4, 1]);
});

test('unstratified splits can leave a small group out of eval; stratified ones do not', () => {
  let missed = 0;
  for (let seed = 0; seed < 40; seed++) {
    if (!splitRecords(items, { evalFraction: 0.1, seed }).eval.some((x) => x.task === 'small')) missed++;
    assert.ok(splitRecords(items, { evalFraction: 0.1, seed, stratify: (x) => x.task }).eval.some((x) => x.task === 'small'));
  }
  assert.ok(missed > 0);
});

test('the fraction must be strictly between 0 and 1', () => {
  assert.throws(() => splitRecords(items, { evalFraction: 0 }), RangeError);
  assert.throws(() => splitRecords(items, { evalFraction: 1 }), RangeError);
  assert.throws(() => splitRecords(items, { evalFraction: Number.NaN }), RangeError);
});
