import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forgettingChange, meanLoss, perplexity } from '../../../src/core/metrics/perplexity';
import { forgettingSummary } from '../../../src/core/metrics/forgetting';

test('loss is token-weighted: summed NLL over summed tokens; perplexity is its exp', () => {
  const parts = [{ nll: 2, tokens: 1 }, { nll: 6, tokens: 3 }];
  assert.equal(meanLoss(parts), 2);
  assert.equal(perplexity(parts), Math.exp(2));
  // Uniform over a 50-token vocabulary: NLL per token ln 50, perplexity 50.
  assert.ok(Math.abs(perplexity([{ nll: 10 * Math.log(50), tokens: 10 }]) - 50) < 1e-9);
  assert.throws(() => meanLoss([]), /tokens: no scored tokens/);
});

test('forgetting: the change in general-text perplexity, absolute and relative', () => {
  assert.deepEqual(forgettingChange(20, 25), { perplexity_before: 20, perplexity_after: 25, absolute_change: 5, relative_change: 0.25 });
  assert.equal(forgettingChange(20, 15).relative_change, -0.25);
  assert.throws(() => forgettingChange(0.5, 3), /perplexity_before: a perplexity is a finite number ≥ 1/);
  assert.throws(() => forgettingChange(3, Infinity), /perplexity_after/);
});

test('forgetting summary pairs chunks and bootstraps the change', () => {
  const before = Array.from({ length: 30 }, (_, i) => ({ nll: 20 + (i % 5), tokens: 10 }));
  const after = before.map((c) => ({ nll: c.nll + 1, tokens: c.tokens }));
  const s = forgettingSummary(before, after, { samples: 300, seed: 1 });
  assert.ok(Math.abs(s.perplexity_after / s.perplexity_before - Math.exp(0.1)) < 1e-12);
  // Every chunk got worse by the same 0.1 nats per token, so every resample shows forgetting.
  assert.ok((s.ci.absolute_change?.low ?? 0) > 0);
  assert.ok((s.ci.relative_change?.low ?? 0) > 0);
  assert.deepEqual(forgettingSummary(before, after, false).ci, {});
  assert.throws(() => forgettingSummary(before, after.slice(1)), /forgetting\.after: 29 chunks but forgetting\.before has 30/);
  assert.throws(() => forgettingSummary([{ nll: 1, tokens: 0 }], [{ nll: 1, tokens: 1 }]), /forgetting\.before\[0\]\.tokens/);
});
