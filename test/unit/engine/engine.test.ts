// The engine end to end on tiny configs: whole-model gradients, learning, determinism, masking,
// packing, and checkpoint round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/trainer/engine/index';
import { GptReplica } from '../../../src/trainer/engine/model';
import { initParams, paramLayout, resolveConfig } from '../../../src/trainer/engine/params';
import { loadBackend } from '../../../src/trainer/backend/index';
import type { Batch, StepResult } from '../../../src/trainer/engine/types';
import { OPT, TINY, patternBatch, randomBatch, relativeError } from './helpers';

test('whole-model gradients match finite differences (tied and untied, packed rows)', async () => {
  const { tf } = await loadBackend();
  for (const tie of [true, false]) {
    const cfg = resolveConfig({ vocabSize: 11, contextLength: 6, dModel: 8, nLayers: 2, nHeads: 2, tieEmbeddings: tie });
    const layout = paramLayout(cfg);
    const params = initParams(layout, 5);
    // Larger weights than the init so every path carries a visible gradient.
    for (let i = 0; i < params.length; i++) params[i] += 0.3 * Math.sin(i * 1.7);
    const replica = new GptReplica(tf, cfg, layout, params);
    const batch: Batch = { ...randomBatch(cfg, 2, 6, 3), segments: Int32Array.from([0, 0, 0, 0, 0, 0, 4, 4, 7, 7, 7, 7]) };
    const slice = { batch, start: 0, end: 2 };
    const grad = new Float32Array(layout.total);
    replica.accumulateGradients(slice, grad);
    const eps = 1e-2;
    for (const spec of layout.specs) {
      // A few elements of every tensor; embeddings: rows that the batch actually uses.
      const idx = [0, Math.floor(spec.size / 2), spec.size - 1, Math.floor(spec.size / 3)];
      if (spec.name === 'wte.weight') idx.push(batch.tokens[3] * cfg.dModel + 1, batch.targets[2] * cfg.dModel + 2);
      const analytic: number[] = [];
      const numeric: number[] = [];
      for (const j of idx) {
        const i = spec.offset + j;
        const keep = params[i];
        params[i] = keep + eps; replica.weightsChanged();
        const up = replica.loss(slice).lossSum;
        params[i] = keep - eps; replica.weightsChanged();
        const down = replica.loss(slice).lossSum;
        params[i] = keep; replica.weightsChanged();
        analytic.push(grad[i]);
        numeric.push((up - down) / (2 * eps));
      }
      const err = relativeError(analytic, numeric);
      const scale = Math.max(...numeric.map(Math.abs));
      assert.ok(err < 2e-2 || scale < 1e-4, `${spec.name} (tie=${tie}): analytic ${analytic} vs numeric ${numeric}`);
    }
    replica.dispose();
  }
});

async function run(seed: number, steps: number, batches: (s: number) => Batch[], threads = 1): Promise<StepResult[]> {
  const engine = await createEngine({ config: TINY, seed, threads });
  const out: StepResult[] = [];
  for (let s = 0; s < steps; s++) out.push(await engine.trainStep(batches(s), OPT));
  await engine.dispose();
  return out;
}

test('a tiny run learns a pattern: loss falls well below chance', async () => {
  const results = await run(1, 60, (s) => [patternBatch(TINY, 4, 8, s)]);
  const first = results[0].loss;
  const last = results.at(-1)!.loss;
  assert.ok(Math.abs(first - Math.log(TINY.vocabSize)) < 0.3, `initial loss ${first} ≈ ln V`);
  assert.ok(last < 0.5 * first, `loss fell from ${first} to ${last}`);
  assert.equal(results[0].tokens, 32);
  assert.equal(results[0].trainedTokens, 32);
});

test('same seed gives a bit-identical loss curve; another seed does not', async () => {
  const batches = (s: number) => [randomBatch(TINY, 3, 8, 100 + s), randomBatch(TINY, 2, 5, 200 + s)];
  const a = await run(7, 5, batches);
  const b = await run(7, 5, batches);
  const c = await run(8, 5, batches);
  assert.deepEqual(a.map((r) => r.loss), b.map((r) => r.loss));
  assert.deepEqual(a.map((r) => r.gradNorm), b.map((r) => r.gradNorm));
  assert.notDeepEqual(a.map((r) => r.loss), c.map((r) => r.loss));
});

test('targets of masked tokens have no effect on gradients or loss', async () => {
  const base = randomBatch(TINY, 3, 8, 11);
  const changed: Batch = { ...base, targets: base.targets.map((t, i) => (base.weights[i] === 0 ? (t + 5) % TINY.vocabSize : t)) };
  assert.notDeepEqual(changed.targets, base.targets);
  const e1 = await createEngine({ config: TINY, seed: 3, threads: 1 });
  const e2 = await createEngine({ config: TINY, seed: 3, threads: 1 });
  for (let s = 0; s < 3; s++) {
    const r1 = await e1.trainStep([base], OPT);
    const r2 = await e2.trainStep([changed], OPT);
    assert.equal(r1.loss, r2.loss);
    assert.equal(r1.gradNorm, r2.gradNorm);
  }
  assert.deepEqual((await e1.getState()).params, (await e2.getState()).params);
  // A step where nothing is trained changes nothing.
  const before = (await e1.getState()).params;
  const none = await e1.trainStep([{ ...base, weights: new Float32Array(base.weights.length) }], OPT);
  assert.equal(none.trainedTokens, 0);
  assert.deepEqual((await e1.getState()).params, before);
  await e1.dispose();
  await e2.dispose();
});

test('packing: a sequence packed after another scores as if alone (positions restart, no cross-attention)', async () => {
  const engine = await createEngine({ config: TINY, seed: 4, threads: 1 });
  const a = [3, 9, 1], b = [5, 2, 8, 8, 1];
  const alone: Batch = {
    batchSize: 1, seqLen: 5, tokens: Int32Array.from(b), targets: Int32Array.from([2, 8, 8, 1, 0]),
    weights: Float32Array.from([1, 1, 1, 1, 0]),
  };
  const packed: Batch = {
    batchSize: 1, seqLen: 8, tokens: Int32Array.from([...a, ...b]), targets: Int32Array.from([9, 1, 0, 2, 8, 8, 1, 0]),
    weights: Float32Array.from([0, 0, 0, 1, 1, 1, 1, 0]), segments: Int32Array.from([1, 1, 1, 2, 2, 2, 2, 2]),
  };
  const r1 = await engine.evalLoss(alone);
  const r2 = await engine.evalLoss(packed);
  assert.equal(r1.tokens, 4);
  assert.equal(r2.tokens, 4);
  assert.ok(Math.abs(r1.lossSum - r2.lossSum) < 1e-5, `${r1.lossSum} vs ${r2.lossSum}`);
  // Without segments the second sequence sees the first one and its positions shift: a different loss.
  const r3 = await engine.evalLoss({ ...packed, segments: undefined });
  assert.ok(Math.abs(r1.lossSum - r3.lossSum) > 1e-3);
  // Next-token logits agree with the loss path: −log softmax at the target equals the per-token loss.
  const [logits] = await engine.nextTokenLogits([b.slice(0, 1)]);
  const mx = Math.max(...logits);
  const lse = mx + Math.log(logits.reduce((s, v) => s + Math.exp(v - mx), 0));
  const one = await engine.evalLoss({ batchSize: 1, seqLen: 1, tokens: Int32Array.from([5]), targets: Int32Array.from([2]), weights: Float32Array.from([1]) });
  assert.ok(Math.abs(one.lossSum - (lse - logits[2])) < 1e-5);
  await engine.dispose();
});

test('getState/setState round trip continues the run identically', async () => {
  const batches = (s: number) => [randomBatch(TINY, 2, 8, 300 + s)];
  const a = await createEngine({ config: TINY, seed: 9, threads: 1 });
  for (let s = 0; s < 3; s++) await a.trainStep(batches(s), OPT);
  const state = await a.getState();
  const cont: number[] = [];
  for (let s = 3; s < 6; s++) cont.push((await a.trainStep(batches(s), OPT)).loss);
  const b = await createEngine({ config: TINY, seed: 12345, threads: 1 });
  await b.setState(JSON.parse(JSON.stringify(state), revive));
  const resumed: number[] = [];
  for (let s = 3; s < 6; s++) resumed.push((await b.trainStep(batches(s), OPT)).loss);
  assert.deepEqual(resumed, cont);
  assert.equal(state.optimizer?.step, 3);
  // A state of the wrong shape is refused and leaves the engine untouched.
  const before = await b.getState();
  const bad = { ...state, params: { ...state.params, 'wte.weight': { shape: [3, 3], data: new Float32Array(9) } } };
  await assert.rejects(b.setState(bad), /wte\.weight.*shape/);
  assert.deepEqual((await b.getState()).params, before.params);
  await a.dispose();
  await b.dispose();
});

/** JSON turns Float32Arrays into objects; a checkpoint reader would rebuild them like this. */
function revive(key: string, value: unknown): unknown {
  if (key === 'data' && value && typeof value === 'object') return Float32Array.from(Object.values(value as Record<string, number>));
  return value;
}

test('two data-parallel worker threads train like one thread (same maths, other summation order)', async () => {
  const batches = (s: number) => [randomBatch(TINY, 3, 8, 500 + s), randomBatch(TINY, 1, 6, 600 + s)];
  const one = await run(21, 4, batches, 1);
  const two = await run(21, 4, batches, 2);
  const again = await run(21, 4, batches, 2);
  for (let s = 0; s < 4; s++) {
    assert.ok(Math.abs(one[s].loss - two[s].loss) < 1e-4 * one[s].loss, `step ${s}: ${one[s].loss} vs ${two[s].loss}`);
    assert.equal(one[s].trainedTokens, two[s].trainedTokens);
  }
  assert.deepEqual(two.map((r) => r.loss), again.map((r) => r.loss));
  const engine = await createEngine({ config: TINY, seed: 2, threads: 2 });
  assert.equal(engine.backend.threads, 2);
  const single = await createEngine({ config: TINY, seed: 2, threads: 1 });
  const seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]];
  const a = await engine.nextTokenLogits(seqs);
  const b = await single.nextTokenLogits(seqs);
  assert.equal(a.length, 3);
  for (let i = 0; i < 3; i++) assert.ok(relativeError(a[i], b[i]) < 1e-6);
  await engine.dispose();
  await single.dispose();
});

test('with two workers the optimizer runs in them: same moments as one thread, and a restored state reaches them', async () => {
  const batches = (s: number) => [randomBatch(TINY, 4, 8, 700 + s)];
  const one = await createEngine({ config: TINY, seed: 9, threads: 1 });
  const two = await createEngine({ config: TINY, seed: 9, threads: 2 });
  const restored = await createEngine({ config: TINY, seed: 1, threads: 2 });
  try {
    for (let s = 0; s < 3; s++) {
      const a = await one.trainStep(batches(s), OPT);
      const b = await two.trainStep(batches(s), OPT);
      assert.ok(Math.abs(a.gradNorm - b.gradNorm) < 1e-4 * a.gradNorm, `step ${s}: grad norm ${a.gradNorm} vs ${b.gradNorm}`);
    }
    const [sa, sb] = [await one.getState(), await two.getState()];
    assert.equal(sb.optimizer!.step, 3);
    for (const name of Object.keys(sa.params)) {
      assert.ok(relativeError(sa.params[name].data, sb.params[name].data) < 1e-4, `${name} after 3 steps`);
      assert.ok(relativeError(sa.optimizer!.m[name].data, sb.optimizer!.m[name].data) < 1e-3, `${name}: first moment`);
    }
    // Restored into another two-worker engine: the next steps are the same, moments included.
    await restored.setState(sb);
    const next = [await two.trainStep(batches(3), OPT), await two.trainStep(batches(4), OPT)];
    const again = [await restored.trainStep(batches(3), OPT), await restored.trainStep(batches(4), OPT)];
    assert.deepEqual(again.map((r) => [r.loss, r.gradNorm]), next.map((r) => [r.loss, r.gradNorm]));
  } finally {
    for (const e of [one, two, restored]) await e.dispose();
  }
});

test('configs and batches that cannot work are refused with a message', async () => {
  await assert.rejects(createEngine({ config: { ...TINY, nLayers: 2.5 }, seed: 1, threads: 1 }), /nLayers must be a positive integer/);
  await assert.rejects(createEngine({ config: { ...TINY, dModel: 15 }, seed: 1, threads: 1 }), /divisible by nHeads/);
  const engine = await createEngine({ config: TINY, seed: 1, threads: 1 });
  const b = patternBatch(TINY, 1, 8, 1);
  await assert.rejects(engine.trainStep([{ ...b, tokens: b.tokens.map(() => 99) }], OPT), /token id 99 is outside the vocabulary/);
  await assert.rejects(engine.trainStep([{ ...b, seqLen: 16, batchSize: 1 }], OPT), /has 8 values, expected 1 × 16/);
  await assert.rejects(engine.trainStep([b], { ...OPT, lr: -1 }), /lr must be/);
  await assert.rejects(engine.nextTokenLogits([[]]), /empty/);
  // Longer than the context: generation keeps the last contextLength tokens.
  const [long] = await engine.nextTokenLogits([[...Array(20).keys()].map((i) => i % TINY.vocabSize)]);
  assert.equal(long.length, TINY.vocabSize);
  await engine.dispose();
});
