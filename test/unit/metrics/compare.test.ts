import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, compareRuns, type EvalRecord } from '../../../src/core/metrics';

const tuned: EvalRecord[] = [
  { id: 1, task: 'add', prediction: '34', reference: '34', nll: 2, tokens: 2, checks: [{ type: 'no_comma' }] },
  { id: 2, task: 'add', prediction: '13', reference: '13', nll: 2, tokens: 2, checks: [{ type: 'no_comma' }] },
  { id: 3, task: 'sort', unseen: true, prediction: 'a b c', reference: 'a b c', nll: 3, tokens: 3 },
  { id: 4, task: 'sort', unseen: true, prediction: 'c b a', reference: 'a b c', nll: 6, tokens: 3 },
];
// The base model: wrong on record 2, worse likelihoods everywhere, and a comma that breaks a check.
const base: EvalRecord[] = tuned.map((r, i) => ({
  ...r,
  prediction: i === 1 ? '12, I think' : r.prediction,
  nll: (r.nll as number) + (r.tokens as number),
}));

test('deltas are tuned minus base, per metric, per task and for seen/unseen', () => {
  const c = compareRuns(base, tuned, { bootstrap: false });
  assert.equal(c.n, 4);
  // Record 4 is wrong in both runs; record 2 only in the base.
  assert.deepEqual(c.exact_match, { base: 0.5, tuned: 0.75, delta: 0.25 });
  assert.deepEqual(c.per_task.add.exact_match, { base: 0.5, tuned: 1, delta: 0.5 });
  assert.deepEqual(c.loss, { base: 23 / 10, tuned: 13 / 10, delta: 13 / 10 - 23 / 10 });
  assert.ok((c.perplexity?.delta ?? 0) < 0);
  assert.deepEqual(c.ifeval?.prompt_strict, { base: 0.5, tuned: 1, delta: 0.5 });
  assert.deepEqual(Object.keys(c.per_task), ['add', 'sort']);
  assert.deepEqual(c.per_task.add.ifeval?.instruction_loose, { base: 0.5, tuned: 1, delta: 0.5 });
  assert.equal(c.per_task.sort.ifeval, null);
  assert.equal(c.unseen?.n, 2);
  assert.equal(c.unseen?.exact_match?.delta, 0);
  assert.equal(c.seen?.loss?.delta, 4 / 4 - 8 / 4);
  assert.equal(c.bootstrap, null);
});

test('the paired interval of a consistent improvement excludes zero even where the runs\' own intervals overlap', () => {
  // Records differ a lot from each other; tuning lowers every record's loss by the same 0.2 nats per token.
  const make = (shift: number): EvalRecord[] => Array.from({ length: 40 }, (_, i) => ({ id: i, nll: (1 + (i % 8) - shift) * 10, tokens: 10 }));
  const [b, t] = [make(0), make(0.2)];
  const bootstrap = { samples: 500, seed: 11 };
  const c = compareRuns(b, t, { bootstrap });
  assert.ok(Math.abs((c.loss?.delta ?? 0) + 0.2) < 1e-12);
  assert.ok((c.loss?.ci?.high ?? 0) < 0, `paired interval ${JSON.stringify(c.loss?.ci)}`);
  const [ab, at] = [aggregate(b, { bootstrap }), aggregate(t, { bootstrap })];
  assert.ok((at.ci.loss?.high ?? 0) > (ab.ci.loss?.low ?? 0), 'independent intervals overlap');
  assert.deepEqual(compareRuns(b, t, { bootstrap }), c);
});

test('runs that are not the same records in the same order are refused', () => {
  assert.throws(() => compareRuns(base, tuned.slice(1)), /tuned: 3 records but base has 4/);
  assert.throws(() => compareRuns(base, [tuned[1], tuned[0], ...tuned.slice(2)]), /tuned\[0\]\.id: 2 but base\[0\]\.id is 1/);
  assert.throws(() => compareRuns(base, tuned.map((r, i) => (i === 2 ? { ...r, task: 'other' } : r))), /tuned\[2\]\.task/);
  assert.throws(() => compareRuns(base, tuned.map((r, i) => (i === 3 ? { ...r, nll: undefined, tokens: undefined } : r))), /tuned\[3\]: lacks nll and tokens but base\[3\] has them/);
  assert.throws(() => compareRuns(base, tuned.map((r, i) => (i === 0 ? { ...r, nll: -2 } : r))), /tuned\[0\]\.nll/);
});
