// LoRA in the engine: the adapters' gradients against finite differences (both weight layouts), only adapters
// change while training, merged weights give the same logits, disabled adapters give the base model, resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/trainer/engine/index';
import { GptReplica } from '../../../src/trainer/engine/model';
import { initParams, paramLayout, resolveConfig } from '../../../src/trainer/engine/params';
import { LoraAdapters, adaptableModules, loraDelta, mergeAdapters, selectTargets, type LoraTarget } from '../../../src/trainer/engine/lora';
import { loadBackend } from '../../../src/trainer/backend/index';
import type { AdapterState, Batch, LlamaConfig, NamedArrays } from '../../../src/trainer/engine/types';
import { uniform } from '../../../src/trainer/engine/rng';
import { OPT, TINY, patternBatch, randomBatch, relativeError } from './helpers';

const LORA = { r: 4, alpha: 8, dropout: 0, targets: ['c_attn', 'mlp.c_proj'] };

/** Non-zero A and B (B starts at zero, which would hide half of the maths). */
function randomise(values: Float32Array, seed: number, scale = 0.3): void {
  const u = uniform(seed);
  for (let i = 0; i < values.length; i++) values[i] = (2 * u() - 1) * scale;
}

test('GPT-2 Conv1D layout: dA and dB of the whole model match finite differences of the loss', async () => {
  const { tf } = await loadBackend();
  const cfg = resolveConfig({ vocabSize: 11, contextLength: 6, dModel: 8, nLayers: 2, nHeads: 2 });
  const layout = paramLayout(cfg);
  const params = initParams(layout, 5);
  for (let i = 0; i < params.length; i++) params[i] += 0.3 * Math.sin(i * 1.7);
  const lora = LoraAdapters.create({ ...cfg }, layout, params, LORA, 3);
  randomise(lora.values, 9);
  lora.apply(params);
  const replica = new GptReplica(tf, cfg, layout, params);
  const batch: Batch = randomBatch(cfg, 2, 6, 3);
  const slice = { batch, start: 0, end: 2 };
  const full = new Float32Array(layout.total);
  replica.accumulateGradients(slice, full);
  const analytic = lora.gradients(full).slice();
  const lossAt = () => { lora.apply(params); replica.weightsChanged(); return replica.loss(slice).lossSum; };
  const eps = 1e-2;
  for (const spec of lora.layout.specs) {
    const a: number[] = [];
    const n: number[] = [];
    for (const j of [0, 1, Math.floor(spec.size / 2), spec.size - 1]) {
      const i = spec.offset + j;
      const keep = lora.values[i];
      lora.values[i] = keep + eps;
      const up = lossAt();
      lora.values[i] = keep - eps;
      const down = lossAt();
      lora.values[i] = keep;
      a.push(analytic[i]);
      n.push((up - down) / (2 * eps));
    }
    assert.ok(relativeError(a, n) < 2e-2, `${spec.name}: analytic ${a} vs numeric ${n}`);
  }
  replica.dispose();
});

test('nn.Linear layout ([out, in], Llama): dA and dB match finite differences of a known loss of W_eff', () => {
  // L(W) = Σ c ⊙ W² / 2 has dL/dW = c ⊙ W: a reference independent of any replica, in the Llama layout.
  const config = { architecture: 'llama' } as LlamaConfig;
  const [O, I] = [5, 3];
  const specs = [{ name: 'model.layers.0.self_attn.q_proj.weight', shape: [O, I] }, { name: 'model.layers.0.mlp.up_proj.weight', shape: [4, 5] }];
  const layout = { specs: specs.map((s, k) => ({ ...s, offset: k * 15, size: 15 + 5 * k, decay: true, init: { kind: 'zeros' as const } })), byName: new Map(), total: 35 };
  layout.byName = new Map(layout.specs.map((s) => [s.name, s]));
  const params = Float32Array.from({ length: 35 }, (_, i) => Math.cos(i));
  const lora = LoraAdapters.create(config, layout, params, { r: 2, alpha: 3, dropout: 0, targets: ['q_proj'] }, 1);
  assert.deepEqual(lora.targets.map((t) => [t.module, t.inFeatures, t.outFeatures, t.fanInFanOut]), [['model.layers.0.self_attn.q_proj', I, O, false]]);
  randomise(lora.values, 4);
  const c = Float32Array.from({ length: O * I }, (_, i) => 1 + (i % 4));
  const loss = () => {
    lora.apply(params);
    let s = 0;
    for (let i = 0; i < O * I; i++) s += (c[i] * params[i] ** 2) / 2;
    return s;
  };
  loss();
  const grad = new Float32Array(35);
  for (let i = 0; i < O * I; i++) grad[i] = c[i] * params[i];
  const analytic = lora.gradients(grad).slice();
  const eps = 1e-3;
  const numeric = Array.from(lora.values, (keep, i) => {
    lora.values[i] = keep + eps;
    const up = loss();
    lora.values[i] = keep - eps;
    const down = loss();
    lora.values[i] = keep;
    return (up - down) / (2 * eps);
  });
  assert.ok(relativeError(analytic, numeric) < 1e-3, `analytic ${analytic} vs numeric ${numeric}`);
  // And ΔW itself is B·A in [out, in]: entry (o, i) = s Σ_k B[o,k] A[k,i].
  const t: LoraTarget = lora.targets[0];
  const A = lora.values.subarray(0, 2 * I);
  const B = lora.values.subarray(2 * I, 2 * I + O * 2);
  const d = loraDelta(t, A, B, 2, 1.5);
  assert.ok(Math.abs(d[1 * I + 2] - 1.5 * (B[2] * A[2] + B[3] * A[I + 2])) < 1e-12);
});

test('targets follow PEFT matching; an unknown one names the modules there are; dropout is refused', () => {
  const cfg = resolveConfig(TINY);
  const layout = paramLayout(cfg);
  const modules = (t: string[]) => selectTargets(TINY, layout.specs, t).map((m) => m.module);
  assert.deepEqual(modules(['c_attn']), ['transformer.h.0.attn.c_attn', 'transformer.h.1.attn.c_attn']);
  assert.deepEqual(modules(['c_proj']), ['transformer.h.0.attn.c_proj', 'transformer.h.0.mlp.c_proj', 'transformer.h.1.attn.c_proj', 'transformer.h.1.mlp.c_proj']);
  assert.deepEqual(modules(['h.1.mlp.c_fc']), ['transformer.h.1.mlp.c_fc']);
  assert.equal(adaptableModules(TINY, layout.specs).length, 8);
  assert.throws(() => modules(['q_proj']), /LoRA target "q_proj" matches no module of this GPT-2 model; its modules are: c_attn, c_proj, c_fc/);
  assert.throws(() => LoraAdapters.create(TINY, layout, initParams(layout, 1), { ...LORA, dropout: 0.05 }, 1), /dropout 0.05 is not supported/);
  assert.throws(() => LoraAdapters.create(TINY, layout, initParams(layout, 1), { ...LORA, r: 0 }, 1), /rank r must be a positive integer/);
});

test('PEFT init and key names: A uniform within 1/sqrt(in), B zero, so the engine starts at the base model', async () => {
  const engine = await createEngine({ config: TINY, seed: 3, threads: 1, lora: LORA });
  const plain = await createEngine({ config: TINY, seed: 3, threads: 1 });
  const s = (await engine.getAdapterState())!;
  assert.deepEqual(Object.keys(s.weights).slice(0, 2), ['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight', 'base_model.model.transformer.h.0.attn.c_attn.lora_B.weight']);
  assert.deepEqual(s.weights['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight'].shape, [4, 16]);
  assert.deepEqual(s.weights['base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight'].shape, [16, 4]);
  const A = s.weights['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight'].data;
  assert.ok(A.every((x) => Math.abs(x) <= 0.25) && A.some((x) => Math.abs(x) > 0.1));
  assert.ok(s.weights['base_model.model.transformer.h.0.attn.c_attn.lora_B.weight'].data.every((x) => x === 0));
  assert.equal(s.optimizer, null);
  // trainable: per layer c_attn (16·4 + 48·4) + mlp.c_proj (64·4 + 16·4) = 576, two layers
  assert.equal(engine.trainableParameterCount, 2 * (16 * 4 + 4 * 48 + 64 * 4 + 4 * 16));
  assert.equal(engine.parameterCount, plain.parameterCount);
  assert.deepEqual((await engine.getState()).params, (await plain.getState()).params);
  await engine.dispose();
  await plain.dispose();
});

test('training changes only the adapters: every base weight stays bit-identical, and the loss falls', async () => {
  // A random base's tied embeddings (std 0.02) cap the logits near zero whatever the blocks do; frozen, they would
  // hide learning, so this base gets embeddings of a trained model's scale.
  const layout = paramLayout(resolveConfig(TINY));
  const params = initParams(layout, 1);
  const wte = layout.byName.get('wte.weight')!;
  for (let i = wte.offset; i < wte.offset + wte.size; i++) params[i] *= 50;
  const named = Object.fromEntries(layout.specs.map((s) => [s.name, { shape: s.shape, data: params.slice(s.offset, s.offset + s.size) }]));
  const engine = await createEngine({ config: TINY, seed: 1, threads: 1, params: named, lora: { ...LORA, r: 8, alpha: 16, targets: ['c_attn', 'c_proj', 'c_fc'] } });
  const before = (await engine.getState()).params;
  const losses: number[] = [];
  for (let s = 0; s < 40; s++) losses.push((await engine.trainStep([patternBatch(TINY, 4, 8, s)], { ...OPT, lr: 3e-2 })).loss);
  assert.ok(losses.at(-1)! < losses[0] - 1, `loss ${losses[0]} → ${losses.at(-1)}`);
  const adapted = (await engine.getState()).params;
  const targets = new Set([0, 1].flatMap((i) => ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'].map((m) => `h.${i}.${m}.weight`)));
  for (const [name, a] of Object.entries(before)) {
    if (targets.has(name)) assert.notDeepEqual(adapted[name].data, a.data, `${name} should carry the adapters`);
    else assert.deepEqual(adapted[name].data, a.data, `${name} changed`);
  }
  await engine.setAdaptersEnabled(false);
  assert.deepEqual((await engine.getState()).params, before, 'disabled adapters must give back W0 exactly');
  await assert.rejects(engine.trainStep([patternBatch(TINY, 4, 8, 0)], OPT), /adapters are disabled/);
  await engine.setAdaptersEnabled(true);
  assert.deepEqual((await engine.getState()).params, adapted);
  const st = (await engine.getAdapterState())!;
  assert.equal(st.optimizer!.step, 40);
  assert.equal(engine.trainableParameterCount, 2 * 8 * (16 + 48 + 16 + 16 + 16 + 64 + 64 + 16));
  assert.deepEqual(Object.keys(st.optimizer!.m), Object.keys(st.weights));
  await engine.dispose();
});

test('merged weights give the logits of base + adapters; disabled adapters give the base model\'s logits', async () => {
  const lora = await createEngine({ config: TINY, seed: 2, threads: 1, lora: LORA });
  const base = (await lora.getState()).params;
  for (let s = 0; s < 5; s++) await lora.trainStep([randomBatch(TINY, 3, 8, s)], { ...OPT, lr: 3e-2 });
  const adapters = (await lora.getAdapterState())!.weights;
  const merged = mergeAdapters(TINY, base, adapters, LORA);
  const mergedEngine = await createEngine({ config: TINY, seed: 0, threads: 1, params: merged });
  const baseEngine = await createEngine({ config: TINY, seed: 0, threads: 1, params: base });
  const seqs = [[1, 2, 3, 4, 5], [9, 8, 7]];
  const withAdapters = await lora.nextTokenLogits(seqs);
  const fromMerged = await mergedEngine.nextTokenLogits(seqs);
  const fromBase = await baseEngine.nextTokenLogits(seqs);
  for (let i = 0; i < seqs.length; i++) {
    assert.deepEqual(fromMerged[i], withAdapters[i]);
    assert.ok(relativeError(fromBase[i], withAdapters[i]) > 1e-3, 'the adapters should change the logits');
  }
  await lora.setAdaptersEnabled(false);
  const disabled = await lora.nextTokenLogits(seqs);
  for (let i = 0; i < seqs.length; i++) assert.deepEqual(disabled[i], fromBase[i]);
  await Promise.all([lora.dispose(), mergedEngine.dispose(), baseEngine.dispose()]);
});

test('adapter state round trip: resuming from getAdapterState continues the exact run (1 and 2 threads)', async () => {
  const batches = (s: number) => [patternBatch(TINY, 4, 8, s)];
  const straight = await createEngine({ config: TINY, seed: 5, threads: 1, lora: LORA });
  for (let s = 0; s < 6; s++) await straight.trainStep(batches(s), OPT);
  const first = await createEngine({ config: TINY, seed: 5, threads: 1, lora: LORA });
  for (let s = 0; s < 3; s++) await first.trainStep(batches(s), OPT);
  const saved: AdapterState = (await first.getAdapterState())!;
  // A different seed: every adapter value must come from the saved state.
  const plain = await createEngine({ config: TINY, seed: 5, threads: 1 });
  const resumed = await createEngine({ config: TINY, seed: 99, threads: 1, lora: LORA, params: (await plain.getState()).params });
  await plain.dispose();
  await resumed.setAdapterState(saved);
  for (let s = 3; s < 6; s++) await resumed.trainStep(batches(s), OPT);
  assert.deepEqual(await resumed.getAdapterState(), await straight.getAdapterState());
  const pooled = await createEngine({ config: TINY, seed: 5, threads: 2, lora: LORA });
  for (let s = 0; s < 6; s++) await pooled.trainStep(batches(s), OPT);
  const a = (await pooled.getAdapterState())!.weights;
  const b = (await straight.getAdapterState())!.weights;
  for (const k of Object.keys(b)) assert.ok(relativeError(a[k].data, b[k].data) < 1e-4, k);
  // Wrong shapes are refused before anything changes.
  const bad: NamedArrays = { ...saved.weights, [Object.keys(saved.weights)[0]]: { shape: [1, 1], data: new Float32Array(1) } };
  await assert.rejects(resumed.setAdapterState({ weights: bad, optimizer: null }), /lora_A.weight" has shape \[1,1\], expected \[4,16\]/);
  await assert.rejects(straight.setState(await straight.getState()), /setAdapterState/);
  await Promise.all([straight.dispose(), first.dispose(), resumed.dispose(), pooled.dispose()]);
});
