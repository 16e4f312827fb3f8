// The Llama family against a PyTorch reference that follows transformers' modeling_llama (fixtures made by
// scripts/hf-fixtures/llama.py): logits, loss and every parameter's gradient, for grouped-query attention with
// llama3 RoPE scaling (untied head), Qwen2-style q/k/v biases with tied embeddings and one kv head, and plain
// multi-head attention with linear RoPE scaling. Then the engine paths built on them: KV-cached generation,
// data-parallel workers, learning from scratch, checkpoint names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/trainer/engine/index';
import { createReplica } from '../../../src/trainer/engine/replica';
import { initParams, paramLayout, resolveModelConfig, fromNamed } from '../../../src/trainer/engine/params';
import { loadBackend } from '../../../src/trainer/backend/index';
import type { LlamaConfig } from '../../../src/trainer/engine/types';
import { LLAMA_FIXTURES, loadLlamaFixture, prefixes } from './llamaFixtures';
import { OPT, patternBatch, relativeError } from './helpers';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const name of LLAMA_FIXTURES) {
  test(`${name}: next-token logits after every prefix equal the torch reference within 1e-4`, async (t) => {
    const f = loadLlamaFixture(name);
    const engine = await createEngine({ config: f.config, seed: 0, params: f.params, threads: 1 });
    const V = f.config.vocabSize;
    const ps = prefixes(f.batch);
    const logits = await engine.nextTokenLogits(ps.map((p) => p.tokens));
    let worst = 0;
    ps.forEach((p, i) => {
      const ref = f.logits.subarray(p.index * V, (p.index + 1) * V);
      worst = Math.max(worst, maxAbsDiff(logits[i], ref));
    });
    t.diagnostic(`max |Δlogit| ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-4, `max |Δlogit| ${worst}`);
    // The comparison means something: logits differ across positions by far more than the tolerance.
    assert.ok(maxAbsDiff(logits[0], logits[1]) > 0.1);
    const { lossSum } = await engine.evalLoss(f.batch);
    assert.ok(Math.abs(lossSum - f.lossSum) < 1e-5 * Math.abs(f.lossSum), `loss ${lossSum} vs ${f.lossSum}`);
    // Per-row losses (DPO's sequence log-probabilities) add up to the same sum, row by row from the reference logits.
    const rows = await engine.rowLosses(f.batch);
    const T = f.batch.seqLen;
    for (let r = 0; r < f.batch.batchSize; r++) {
      let expected = 0;
      for (let t = 0; t < T; t++) {
        const i = r * T + t;
        const l = f.logits.subarray(i * V, (i + 1) * V);
        const max = Math.max(...l);
        const lse = max + Math.log(l.reduce((a, x) => a + Math.exp(x - max), 0));
        expected += f.batch.weights[i] * (lse - l[f.batch.targets[i]]);
      }
      assert.ok(Math.abs(rows[r] - expected) < 1e-5 * Math.abs(expected), `row ${r}: ${rows[r]} vs ${expected}`);
    }
    await engine.dispose();
  });

  test(`${name}: gradients of the masked, packed loss equal torch autograd`, async (t) => {
    const f = loadLlamaFixture(name);
    const { tf } = await loadBackend();
    const config = resolveModelConfig(f.config);
    const layout = paramLayout(config);
    const params = new Float32Array(layout.total);
    fromNamed(layout, f.params, params);
    const replica = createReplica(tf, config, layout, params);
    const grad = new Float32Array(layout.total);
    const { lossSum, weightSum } = replica.accumulateGradients({ batch: f.batch, start: 0, end: f.batch.batchSize }, grad);
    replica.dispose();
    assert.ok(Math.abs(lossSum - f.lossSum) < 1e-5 * Math.abs(f.lossSum));
    assert.equal(weightSum, f.batch.weights.reduce((a, b) => a + b, 0));
    assert.deepEqual([...f.grads.keys()].sort(), layout.specs.map((s) => s.name).sort(), 'one gradient per HF parameter');
    let worst = 0;
    for (const spec of layout.specs) {
      const ours = grad.subarray(spec.offset, spec.offset + spec.size);
      const ref = f.grads.get(spec.name)!;
      const err = relativeError(ours, ref);
      worst = Math.max(worst, err);
      assert.ok(err < 1e-4, `${spec.name}: relative error ${err}`);
      assert.ok(ref.some((x) => Math.abs(x) > 1e-4), `${spec.name}: the reference gradient is not trivially zero`);
    }
    t.diagnostic(`worst per-tensor relative gradient error ${worst.toExponential(2)}`);
  });
}

test('llama3-gqa and qwen2 (one kv head): KV-cached generation equals the uncached forward at every step', async () => {
  for (const name of ['llama-llama3-gqa', 'llama-qwen2-tied-bias']) {
    const f = loadLlamaFixture(name);
    const config: LlamaConfig = { ...f.config, contextLength: 10 };
    const engine = await createEngine({ config, seed: 0, params: f.params, threads: 1 });
    const V = config.vocabSize;
    const prompts = [1, 4, 9, 10, 13].map((n, r) => Array.from({ length: n }, (_, i) => (r * 11 + i * 7) % V));
    const seqs = prompts.map((p) => [...p]);
    const session = await engine.startGeneration(prompts);
    const full = await engine.nextTokenLogits(seqs);
    session.logits.forEach((l, i) => assert.ok(maxAbsDiff(l, full[i]) < 1e-4, `${name} prefill row ${i}`));
    let rows = [0, 1, 2, 3, 4];
    for (let step = 0; step < 12; step++) {
      if (step === 5) rows = [4, 2, 0];
      const tokens = rows.map((r) => (r * 5 + step * 3 + 2) % V);
      rows.forEach((r, i) => seqs[r].push(tokens[i]));
      const cached = await session.step(rows, tokens);
      const reference = await engine.nextTokenLogits(rows.map((r) => seqs[r]));
      rows.forEach((r, i) => {
        const d = maxAbsDiff(cached[i], reference[i]);
        assert.ok(d < 1e-4, `${name} step ${step}, row ${r} (length ${seqs[r].length}): max |Δlogit| ${d}`);
      });
    }
    session.dispose();
    await engine.dispose();
  }
});

test('cached generation on the fixture reproduces the torch logits of the whole sequence', async () => {
  const f = loadLlamaFixture('llama-llama3-gqa');
  const engine = await createEngine({ config: f.config, seed: 0, params: f.params, threads: 1 });
  const V = f.config.vocabSize;
  const T = f.batch.seqLen;
  const row = Array.from(f.batch.tokens.subarray(0, T));
  const session = await engine.startGeneration([row.slice(0, 3)]);
  assert.ok(maxAbsDiff(session.logits[0], f.logits.subarray(2 * V, 3 * V)) < 1e-4);
  for (let t = 3; t < T; t++) {
    const [l] = await session.step([0], [row[t]]);
    assert.ok(maxAbsDiff(l, f.logits.subarray(t * V, (t + 1) * V)) < 1e-4, `position ${t}`);
  }
  await engine.dispose();
});

test('state keeps Hugging Face names and layouts; two worker threads train a Llama like one thread', async () => {
  const f = loadLlamaFixture('llama-llama3-gqa');
  const one = await createEngine({ config: f.config, seed: 0, params: f.params, threads: 1 });
  const state = await one.getState();
  assert.deepEqual(Object.keys(state.params).sort(), Object.keys(f.params).sort());
  for (const [k, v] of Object.entries(f.params)) {
    assert.deepEqual(state.params[k].shape, v.shape, k);
    assert.deepEqual(state.params[k].data, v.data, k);
  }
  const two = await createEngine({ config: f.config, seed: 0, params: f.params, threads: 2 });
  const batch = { ...f.batch };
  for (let s = 0; s < 3; s++) {
    const a = await one.trainStep([batch], OPT);
    const b = await two.trainStep([batch], OPT);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-4 * a.loss, `step ${s}: ${a.loss} vs ${b.loss}`);
    assert.ok(Math.abs(a.gradNorm - b.gradNorm) < 1e-3 * a.gradNorm);
  }
  await one.dispose();
  await two.dispose();
});

const SMALL: LlamaConfig = {
  architecture: 'llama', vocabSize: 17, contextLength: 8, dModel: 16, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 4, dFF: 24,
  rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: null, attentionBias: false, tieEmbeddings: true,
};

test('a small Llama learns a pattern from its seeded init; same seed, same curve', async () => {
  const run = async (seed: number) => {
    const engine = await createEngine({ config: SMALL, seed, threads: 1 });
    const losses: number[] = [];
    for (let s = 0; s < 60; s++) losses.push((await engine.trainStep([patternBatch(SMALL, 4, 8, s)], OPT)).loss);
    await engine.dispose();
    return losses;
  };
  const a = await run(1);
  assert.ok(Math.abs(a[0] - Math.log(SMALL.vocabSize)) < 0.3, `initial loss ${a[0]} ≈ ln V`);
  assert.ok(a.at(-1)! < 0.5 * a[0], `loss fell from ${a[0]} to ${a.at(-1)}`);
  assert.deepEqual(await run(1), a);
});

test('Llama init is seeded, HF-shaped, and untied configs get an lm_head', () => {
  const tied = paramLayout(resolveModelConfig(SMALL));
  const untied = paramLayout(resolveModelConfig({ ...SMALL, tieEmbeddings: false, attentionBias: true }));
  assert.deepEqual(tied.byName.get('model.layers.0.self_attn.k_proj.weight')!.shape, [8, 16]);
  assert.deepEqual(tied.byName.get('model.layers.1.mlp.down_proj.weight')!.shape, [16, 24]);
  assert.equal(tied.byName.has('lm_head.weight'), false);
  assert.deepEqual(untied.byName.get('lm_head.weight')!.shape, [17, 16]);
  assert.deepEqual(untied.byName.get('model.layers.0.self_attn.v_proj.bias')!.shape, [8]);
  assert.deepEqual(initParams(tied, 4), initParams(tied, 4));
  assert.notDeepEqual(initParams(tied, 4), initParams(tied, 5));
  assert.throws(() => resolveModelConfig({ ...SMALL, nKvHeads: 3 }), /nKvHeads must divide the number of attention heads \(4\), got 3/);
  assert.throws(() => resolveModelConfig({ ...SMALL, headDim: 3 }), /headDim must be even/);
});
