import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/trainer/rng';
import { TaskSampler } from '../../../src/trainer/sampler';

test('the RNG is seeded, and restoring its state continues the same stream', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const first = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(first, Array.from({ length: 5 }, () => b.nextUint32()));
  assert.notDeepEqual(first, Array.from({ length: 5 }, () => new Rng(43).nextUint32()));
  const saved = a.getState();
  const cont = Array.from({ length: 5 }, () => a.next());
  const r = new Rng(saved);
  assert.deepEqual(Array.from({ length: 5 }, () => r.next()), cont);
});

const byTask = new Map([['a', [0, 1, 2, 3]], ['b', [4, 5, 6, 7, 8, 9, 10, 11]]]);

test('without weights tasks are drawn in proportion to their size; every example once per pass', () => {
  const s = TaskSampler.create(byTask, {}, 1);
  const counts = { a: 0, b: 0 };
  const seenA = new Map<number, number>();
  for (let i = 0; i < 3000; i++) {
    const ex = s.take();
    if (ex < 4) { counts.a++; seenA.set(ex, (seenA.get(ex) ?? 0) + 1); } else counts.b++;
  }
  assert.ok(Math.abs(counts.a / 3000 - 1 / 3) < 0.04, JSON.stringify(counts));
  // reshuffled passes: each example of a task is drawn equally often
  const perExample = [...seenA.values()];
  assert.ok(Math.max(...perExample) - Math.min(...perExample) <= 1, JSON.stringify(perExample));
  assert.equal(s.consumed, 3000);
});

test('configured weights decide the mix; a weight of 0 removes a task', () => {
  const s = TaskSampler.create(byTask, { a: 3, b: 1 }, 2);
  let a = 0;
  for (let i = 0; i < 4000; i++) if (s.take() < 4) a++;
  assert.ok(Math.abs(a / 4000 - 0.75) < 0.03, String(a));
  const only = TaskSampler.create(byTask, { a: 0 }, 2);
  for (let i = 0; i < 200; i++) assert.ok(only.take() >= 4);
  assert.throws(() => TaskSampler.create(byTask, { a: 0, b: 0 }, 2), /weight 0/);
});

test('peek does not consume; a restored sampler continues exactly, pending example included', () => {
  const s = TaskSampler.create(byTask, {}, 3);
  for (let i = 0; i < 17; i++) s.take();
  const peeked = s.peek();
  assert.equal(s.peek(), peeked);
  const state = JSON.parse(JSON.stringify(s.getState()));
  const rest = Array.from({ length: 40 }, () => s.take());
  const r = TaskSampler.restore(state);
  assert.deepEqual(Array.from({ length: 40 }, () => r.take()), rest);
  assert.equal(rest[0], peeked);
});
