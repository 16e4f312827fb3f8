import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregate, corpusBleu, type EvalRecord } from '../../../src/core/metrics';
import { close } from './referenceValues';

const records: EvalRecord[] = readFileSync(join(__dirname, '../../fixtures/metrics/eval-records.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as EvalRecord);

test('totals over all records (values worked out by hand in the comments)', () => {
  const r = aggregate(records, { bootstrap: false });
  assert.equal(r.n, 7);
  // EM: a1, a4 ("the 9" → "9"), r1, u1 (comma dropped) match.
  close(r.exact_match ?? NaN, 4 / 7, 'EM');
  // F1: a3 "Sure:\n7" vs "7" is P=1/2, R=1 → 2/3; others 1 or 0.
  close(r.token_f1 ?? NaN, (1 + 0 + 2 / 3 + 1 + 1 + 0 + 1) / 7, 'F1');
  // ROUGE-L: a3 and a4 have LCS 1 of 2 prediction tokens → 2/3.
  close(r.rouge_l ?? NaN, (1 + 0 + 2 / 3 + 2 / 3 + 1 + 0 + 1) / 7, 'ROUGE-L');
  close(r.loss ?? NaN, 24 / 14, 'loss');
  close(r.perplexity ?? NaN, Math.exp(24 / 14), 'perplexity');
  // Prompts with checks: a1 passes, a3 only loosely, r1 fails "uppercase", u1 has a comma.
  assert.deepEqual(r.ifeval, { prompt_strict: 1 / 4, prompt_loose: 2 / 4, instruction_strict: 3 / 6, instruction_loose: 4 / 6 });
  assert.deepEqual(r.counts, { generations: 7, loss_records: 6, loss_tokens: 14, ifeval_prompts: 4, ifeval_instructions: 6 });
  const bleu = corpusBleu(records.map((x) => x.prediction as string), records.map((x) => (typeof x.reference === 'string' ? [x.reference] : [...(x.reference as string[])])));
  close(r.bleu ?? NaN, bleu, 'corpus BLEU');
  assert.deepEqual(r.ci, {});
  assert.equal(r.bootstrap, null);
});

test('per task: records grouped by task, untagged records only in the totals', () => {
  const r = aggregate(records, { bootstrap: false });
  assert.deepEqual(Object.keys(r.per_task), ['add', 'reverse']);
  const add = r.per_task.add;
  assert.equal(add.n, 4);
  assert.equal(add.exact_match, 0.5);
  close(add.token_f1 ?? NaN, (1 + 0 + 2 / 3 + 1) / 4, 'add F1');
  close(add.rouge_l ?? NaN, 7 / 12, 'add ROUGE-L');
  assert.equal(add.loss, 12 / 8);
  assert.deepEqual(add.ifeval, { prompt_strict: 0.5, prompt_loose: 1, instruction_strict: 2 / 3, instruction_loose: 1 });
  const rev = r.per_task.reverse;
  assert.deepEqual([rev.n, rev.exact_match, rev.loss], [2, 0.5, 2]);
  assert.deepEqual(rev.ifeval, { prompt_strict: 0, prompt_loose: 0, instruction_strict: 0.5, instruction_loose: 0.5 });
});

test('category groups like task when a record has no task', () => {
  const r = aggregate([{ category: 'math', prediction: '1', reference: '1' }, { category: 'math', task: 'add', prediction: '1', reference: '2' }], { bootstrap: false });
  assert.deepEqual(Object.keys(r.per_task), ['add', 'math']);
  assert.equal(r.per_task.math.exact_match, 1);
});

test('seen vs unseen, from the records\' flag or from a second set', () => {
  const r = aggregate(records, { bootstrap: false });
  assert.equal(r.seen?.n, 5);
  assert.equal(r.seen?.exact_match, 3 / 5);
  assert.equal(r.unseen?.n, 2);
  assert.deepEqual([r.unseen?.exact_match, r.unseen?.loss], [0.5, 2]);
  const unseenSet = records.filter((x) => x.unseen).map(({ unseen: _u, ...rest }) => rest);
  const split = aggregate(records.filter((x) => !x.unseen), { bootstrap: false, unseen: unseenSet });
  assert.deepEqual(split.unseen, r.unseen);
  assert.deepEqual(split.seen, r.seen);
  const none = aggregate(records.filter((x) => !x.unseen), { bootstrap: false });
  assert.deepEqual([none.seen, none.unseen], [null, null]);
});

test('intervals: one per metric, deterministic, bracketing the point value, JSON round-trips', () => {
  const r = aggregate(records, { bootstrap: { samples: 400, seed: 3 } });
  assert.deepEqual(r.bootstrap, { samples: 400, seed: 3, alpha: 0.05 });
  for (const key of ['exact_match', 'token_f1', 'rouge_l', 'bleu', 'loss', 'perplexity'] as const) {
    const ci = r.ci[key];
    assert.ok(ci, key);
    assert.ok(ci.low <= ci.high, key);
  }
  assert.ok((r.ci.loss?.low ?? Infinity) <= (r.loss ?? NaN) && (r.loss ?? NaN) <= (r.ci.loss?.high ?? -Infinity));
  // exp is monotone, so the perplexity interval is exp of the loss interval up to quantile interpolation.
  close(r.ci.perplexity?.high ?? NaN, Math.exp(r.ci.loss?.high ?? NaN), 'perplexity interval', 1e-3 * (r.ci.perplexity?.high ?? 0));
  close(r.ci.perplexity?.low ?? NaN, Math.exp(r.ci.loss?.low ?? NaN), 'perplexity interval', 1e-3 * (r.ci.perplexity?.low ?? 0));
  assert.deepEqual(Object.keys(r.ci.ifeval ?? {}), ['prompt_strict', 'prompt_loose', 'instruction_strict', 'instruction_loose']);
  assert.ok(r.per_task.add.ci.exact_match);
  assert.deepEqual(aggregate(records, { bootstrap: { samples: 400, seed: 3 } }), r);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});

test('metrics nobody can compute are null, not zero', () => {
  const r = aggregate([{ nll: 2, tokens: 2 }], { bootstrap: false });
  assert.deepEqual([r.exact_match, r.token_f1, r.rouge_l, r.bleu, r.ifeval], [null, null, null, null, null]);
  assert.equal(r.loss, 1);
  const empty = aggregate([]);
  assert.deepEqual([empty.n, empty.loss, empty.exact_match], [0, null, null]);
});

test('forgetting appears in the results when general-text chunks are given', () => {
  const r = aggregate(records, { bootstrap: false, forgetting: { before: [{ nll: 30, tokens: 10 }], after: [{ nll: 35, tokens: 10 }] } });
  close(r.forgetting?.relative_change ?? NaN, Math.exp(0.5) - 1, 'relative change');
  assert.equal(aggregate(records, { bootstrap: false }).forgetting, null);
});

test('bad records are refused with the record and field named', () => {
  assert.throws(() => aggregate([{ prediction: 'x', reference: 'x' }, { nll: -1, tokens: 2 }]), /records\[1\]\.nll: must be a finite number ≥ 0/);
  assert.throws(() => aggregate([{ nll: 1 }]), /records\[0\]\.tokens: must be a positive integer/);
  assert.throws(() => aggregate([{ nll: 1, tokens: 1.5 }]), /records\[0\]\.tokens/);
  assert.throws(() => aggregate([{ prediction: 'x', checks: [{ type: 'max_words', n: 'x' }] }]), /records\[0\]\.checks\[0\]\.n: must be an integer/);
  assert.throws(() => aggregate([{ reference: 'x', checks: [{ type: 'json' }] }]), /records\[0\]\.prediction: missing, but the record has checks/);
  assert.throws(() => aggregate([{ prediction: 'x', reference: [] }]), /records\[0\]\.reference: at least one reference/);
  assert.throws(() => aggregate([{ prediction: 'x', reference: ['a', 3 as unknown as string] }]), /records\[0\]\.reference\[1\]: must be a string/);
  assert.throws(() => aggregate([{ task: 7 as unknown as string }]), /records\[0\]\.task: must be a string/);
  assert.throws(() => aggregate([{ unseen: 'yes' as unknown as boolean }]), /records\[0\]\.unseen: must be true or false/);
  assert.throws(() => aggregate([], { unseen: [{ nll: 1, tokens: 0 }] }), /unseen\[0\]\.tokens/);
  assert.throws(() => aggregate('nope' as unknown as EvalRecord[]), /records: must be an array/);
});

test('a record with a reference but no prediction counts for loss only', () => {
  const r = aggregate([{ reference: 'x', nll: 3, tokens: 3 }], { bootstrap: false });
  assert.deepEqual([r.counts.generations, r.loss], [0, 1]);
});
