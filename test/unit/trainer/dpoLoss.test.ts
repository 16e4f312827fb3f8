// DPO's maths against hand-written references: the loss formulas (sigmoid, label smoothing, IPO) on hand values, the
// engine's row losses and signed, normalised gradients, and the gradient of a whole DPO step on a tiny model against
// finite differences of the DPO loss computed by hand from row losses.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBackend } from '../../../src/trainer/backend/index';
import { createEngine } from '../../../src/trainer/engine/index';
import { GptReplica } from '../../../src/trainer/engine/model';
import { initParams, paramLayout, resolveConfig } from '../../../src/trainer/engine/params';
import type { Batch, Engine } from '../../../src/trainer/engine/types';
import { pairLoss, dpoStats, type DpoSettings } from '../../../src/trainer/dpo/loss';
import { dpoEvaluate, dpoTrainStep, type ScoredPair } from '../../../src/trainer/dpo/step';
import { pairBatch, type PreferencePair } from '../../../src/trainer/dpo/data';
import type { Example } from '../../../src/trainer/data';
import { uniform } from '../../../src/trainer/engine/rng';
import { OPT, TINY, randomBatch, relativeError } from '../engine/helpers';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('loss formulas match hand values: sigmoid, label smoothing (conservative DPO), IPO', () => {
  // x = (−10 − −14) − (−11 − −12) = 3; values computed by hand in Python (math.log1p/exp).
  const p = { chosen: -10, rejected: -14, refChosen: -11, refRejected: -12 };
  close(pairLoss(p, { beta: 0.1, loss: 'sigmoid', labelSmoothing: 0 }).loss, 0.5543552444685271);
  close(pairLoss(p, { beta: 0.1, loss: 'sigmoid', labelSmoothing: 0.1 }).loss, 0.5843552444685272);
  close(pairLoss(p, { beta: 0.5, loss: 'sigmoid', labelSmoothing: 0.2 }).loss, 0.5014132779827525);
  close(pairLoss(p, { beta: 0.1, loss: 'ipo', labelSmoothing: 0 }).loss, 4); // (3 − 1/(2·0.1))²
  // dL/dx against central differences of the same pair loss.
  for (const s of [{ beta: 0.1, loss: 'sigmoid', labelSmoothing: 0 }, { beta: 0.7, loss: 'sigmoid', labelSmoothing: 0.3 }, { beta: 0.2, loss: 'ipo', labelSmoothing: 0 }] as DpoSettings[]) {
    const h = 1e-5;
    const numeric = (pairLoss({ ...p, chosen: p.chosen + h }, s).loss - pairLoss({ ...p, chosen: p.chosen - h }, s).loss) / (2 * h);
    close(pairLoss(p, s).dx, numeric, 1e-6);
  }
  // A huge margin must not overflow.
  assert.ok(Number.isFinite(pairLoss({ ...p, chosen: 1e4 }, { beta: 1, loss: 'sigmoid', labelSmoothing: 0.1 }).loss));
  const stats = dpoStats([p, { chosen: -5, rejected: -4, refChosen: -5, refRejected: -5 }], { beta: 0.1, loss: 'sigmoid', labelSmoothing: 0 });
  close(stats['rewards/chosen'], (0.1 * 1 + 0) / 2);
  close(stats['rewards/rejected'], (0.1 * -2 + 0.1 * 1) / 2);
  close(stats['rewards/margins'], (0.3 + -0.1) / 2);
  assert.equal(stats['rewards/accuracies'], 0.5);
  close(stats['logps/chosen'], -7.5);
  close(stats['logps/rejected'], -9);
});

test('rowLosses: each row\'s Σ w·nll, the same on one thread and on two workers', async () => {
  const batch = randomBatch(TINY, 5, 8, 11);
  const one = await createEngine({ config: TINY, seed: 4, threads: 1 });
  const two = await createEngine({ config: TINY, seed: 4, threads: 2 });
  try {
    const rows = await one.rowLosses(batch);
    assert.equal(rows.length, 5);
    for (let r = 0; r < 5; r++) {
      const single: Batch = { batchSize: 1, seqLen: 8, tokens: batch.tokens.slice(r * 8, r * 8 + 8), targets: batch.targets.slice(r * 8, r * 8 + 8), weights: batch.weights.slice(r * 8, r * 8 + 8) };
      close(rows[r], (await one.evalLoss(single)).lossSum, 1e-5);
    }
    assert.ok(relativeError(await two.rowLosses(batch), rows) < 1e-5);
  } finally {
    await one.dispose();
    await two.dispose();
  }
});

test('trainStep with signed weights and a normalizer: −w over Σw is the mirror of the plain step', async () => {
  const batch = randomBatch(TINY, 3, 8, 12);
  const weightSum = batch.weights.reduce((a, b) => a + b, 0);
  const plainEngine = await createEngine({ config: TINY, seed: 9, threads: 1 });
  const signedEngine = await createEngine({ config: TINY, seed: 9, threads: 1 });
  try {
    const plain = await plainEngine.trainStep([batch], OPT);
    const signed = await signedEngine.trainStep([{ ...batch, weights: batch.weights.map((w) => -w) }], OPT, { normalizer: weightSum });
    close(signed.loss, -plain.loss, 1e-6);
    close(signed.gradNorm, plain.gradNorm, 1e-5);
    // Twice the weights over twice the normalizer: the same gradient.
    const again = await createEngine({ config: TINY, seed: 9, threads: 1 });
    const doubled = await again.trainStep([{ ...batch, weights: batch.weights.map((w) => 2 * w) }], OPT, { normalizer: 2 * weightSum });
    await again.dispose();
    close(doubled.gradNorm, plain.gradNorm, 1e-5);
    await assert.rejects(plainEngine.trainStep([batch], OPT, { normalizer: 0 }), /normalizer must be a positive number/);
  } finally {
    await plainEngine.dispose();
    await signedEngine.dispose();
  }
});

/** An example of `len` random tokens whose last `trained` tokens are the response. */
function example(rnd: () => number, vocab: number, len: number, trained: number): Example {
  const ids = Int32Array.from({ length: len }, () => Math.floor(rnd() * vocab));
  const mask = Uint8Array.from({ length: len }, (_, k) => (k >= len - trained ? 1 : 0));
  return { ids, mask, task: 'default', trained };
}

test('a DPO step\'s gradient equals finite differences of the DPO loss computed by hand from row losses', async () => {
  const { tf } = await loadBackend();
  const cfg = resolveConfig({ vocabSize: 11, contextLength: 7, dModel: 8, nLayers: 1, nHeads: 2 });
  const layout = paramLayout(cfg);
  const params = initParams(layout, 5);
  for (let i = 0; i < params.length; i++) params[i] += 0.3 * Math.sin(i * 1.7);
  const replica = new GptReplica(tf, cfg, layout, params);
  const rnd = uniform(21);
  const pairs: PreferencePair[] = [[6, 3, 7, 2], [5, 2, 8, 4], [7, 4, 4, 1]].map(([lc, tc, lr, tr]) => ({
    chosen: example(rnd, 11, lc, tc), rejected: example(rnd, 11, lr, tr), record: {}, file: 'x', line: 1, task: 'default',
  }));
  // References away from the policy so the coefficients differ between pairs.
  const refs = [[-9, -11], [-14, -8], [-6, -7]];
  const scored: ScoredPair[] = pairs.map((pair, i) => ({ pair, refChosen: refs[i][0], refRejected: refs[i][1] }));
  const rowLoss = (b: Batch) => replica.rowLosses({ batch: b, start: 0, end: b.batchSize });
  let grad = new Float32Array(0);
  // An engine that computes the step's gradient with the real backward but leaves the weights alone.
  const engine: Pick<Engine, 'rowLosses' | 'trainStep'> = {
    rowLosses: async (b) => rowLoss(b),
    trainStep: async (batches, _opt, options) => {
      grad = new Float32Array(layout.total);
      for (const b of batches) replica.accumulateGradients({ batch: b, start: 0, end: b.batchSize }, grad);
      for (let i = 0; i < grad.length; i++) grad[i] /= options!.normalizer!;
      return { loss: 0, gradNorm: 0, trainedTokens: 0, tokens: 0 };
    },
  };
  const logSig = (z: number) => Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
  // The DPO loss by hand: policy log-probs are minus the row losses of the masked responses.
  const handLoss = (s: DpoSettings): number => {
    let sum = 0;
    pairs.forEach((p, i) => {
      const rows = rowLoss(pairBatch([p], cfg.contextLength, 0));
      const avg = (v: number, n: number) => (s.loss === 'ipo' ? v / n : v);
      const x = (avg(-rows[0], p.chosen.trained) - avg(-rows[1], p.rejected.trained)) - (avg(refs[i][0], p.chosen.trained) - avg(refs[i][1], p.rejected.trained));
      sum += s.loss === 'ipo' ? (x - 1 / (2 * s.beta)) ** 2 : -(1 - s.labelSmoothing) * logSig(s.beta * x) - s.labelSmoothing * logSig(-s.beta * x);
    });
    return sum / pairs.length;
  };
  for (const s of [{ beta: 0.5, loss: 'sigmoid', labelSmoothing: 0 }, { beta: 0.3, loss: 'sigmoid', labelSmoothing: 0.2 }, { beta: 0.5, loss: 'ipo', labelSmoothing: 0 }] as DpoSettings[]) {
    // Two micro-batches: the normalizer is the step's pair count, not a micro-batch's.
    const step = await dpoTrainStep(engine, [scored.slice(0, 2), scored.slice(2)], s, OPT, cfg.contextLength, 0);
    close(step.stats.loss, handLoss(s), 1e-5);
    const evaluated = await dpoEvaluate(engine, pairs, { chosen: refs.map((r) => r[0]), rejected: refs.map((r) => r[1]) }, s, cfg.contextLength, 0, 2);
    close(evaluated.loss, handLoss(s), 1e-5);
    const analytic: number[] = [];
    const numeric: number[] = [];
    const eps = 1e-2;
    for (const [name, j] of [['h.0.mlp.c_fc.weight', 5], ['h.0.attn.c_attn.weight', 17], ['ln_f.bias', 3], ['wte.weight', pairs[0].chosen.ids[2] * 8 + 1]] as const) {
      const i = layout.byName.get(name)!.offset + j;
      const keep = params[i];
      params[i] = keep + eps; replica.weightsChanged();
      const up = handLoss(s);
      params[i] = keep - eps; replica.weightsChanged();
      const down = handLoss(s);
      params[i] = keep; replica.weightsChanged();
      analytic.push(grad[i]);
      numeric.push((up - down) / (2 * eps));
    }
    assert.ok(numeric.some((v) => Math.abs(v) > 1e-4), `the checked parameters carry gradient (${s.loss})`);
    assert.ok(relativeError(analytic, numeric) < 2e-2, `${s.loss} ε=${s.labelSmoothing}: analytic ${analytic} vs numeric ${numeric}`);
  }
  replica.dispose();
});
