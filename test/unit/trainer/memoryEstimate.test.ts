// The memory estimate: hand-computed figures for a small config (full fine-tuning, LoRA, two workers), the warning
// threshold, and the activation factors re-measured against TensorFlow.js's own peak-bytes count.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUNTIME_BYTES, activationFloats, describeEstimate, deviceWeightFloats, estimateMemory } from '../../../src/trainer/memoryEstimate';
import { loadBackend } from '../../../src/trainer/backend/index';
import { createReplica } from '../../../src/trainer/engine/replica';
import { initParams, paramLayout, resolveModelConfig } from '../../../src/trainer/engine/params';
import type { GptConfig, LlamaConfig, ModelConfig } from '../../../src/trainer/engine/types';
import { randomBatch } from '../engine/helpers';

// V 10, T 4, D 4, 1 layer, 2 heads, dFF 16, tied: wte 40 + wpe 16 + ln_1 8 + c_attn 48+12 + c_proj 16+4 + ln_2 8
// + c_fc 64+16 + mlp.c_proj 64+4 + ln_f 8 = 308 parameters.
const SMALL: GptConfig = { vocabSize: 10, contextLength: 4, dModel: 4, nLayers: 1, nHeads: 2 };

test('full fine-tuning, one thread: every figure by hand', () => {
  const e = estimateMemory({ config: SMALL, batchSize: 2, seqLen: 4, threads: 1 });
  assert.equal(e.parameters, 308);
  assert.equal(e.trainable, 308);
  // N = 8 tokens. Kept caches 8·1·(8·4 + 3·16 + 2) = 656; head 8·(3·10 + 10·4) + 10·4 = 600; a layer's own
  // transients 8·(18.2·4 + 10.1·16) + 2·(2 rows · 2 heads · 4²) = 2003.2, the larger: 656 + 2003.2 = 2659.2 floats.
  assert.ok(Math.abs(activationFloats(SMALL, 2, 4) - 2659.2) < 1e-9);
  assert.ok(Math.abs(e.activations - 4 * 2659.2) < 1e-9);
  // Uploaded: matrices twice (wte 80, c_attn 96, c_proj 32, c_fc 128, mlp.c_proj 128), vectors once (ln 24 + biases 36),
  // wpe not at all.
  assert.equal(deviceWeightFloats(SMALL), 524);
  assert.equal(e.weights, 4 * 308);
  assert.equal(e.gradients, 4 * 308);
  assert.equal(e.optimizer, 4 * 2 * 308); // m and v
  // device weights, the 4×4 causal mask and activations; wasm memory grown 20% past that
  assert.ok(Math.abs(e.heapPerWorker - 1.2 * (4 * 524 + 4 * 16 + 4 * 2659.2)) < 1e-6);
  // JavaScript copies of what the kernels read: as many bytes as the activation peak
  assert.ok(Math.abs(e.jsPerWorker - 4 * 2659.2) < 1e-9);
  assert.equal(e.runtime, RUNTIME_BYTES.process);
  assert.ok(Math.abs(e.total - (1232 + 1232 + 2464 + 1.2 * 12796.8 + 4 * 2659.2 + RUNTIME_BYTES.process)) < 1e-6);
});

test('LoRA r=2 on c_attn: adapters 2·(4 + 12) = 32 train; W0 kept; optimizer for adapters only', () => {
  const e = estimateMemory({ config: SMALL, batchSize: 2, seqLen: 4, threads: 1, lora: { r: 2, targets: ['c_attn'] } });
  assert.equal(e.trainable, 32);
  assert.equal(e.weights, 4 * (308 + 48 + 32));
  assert.equal(e.gradients, 4 * (308 + 32)); // dL/dW of every weight is still computed
  assert.equal(e.optimizer, 4 * 2 * 32);
  assert.throws(() => estimateMemory({ config: SMALL, batchSize: 2, seqLen: 4, threads: 1, lora: { r: 2, targets: ['q_proj'] } }), /matches no module/);
});

test('two workers: rows split between them, one gradient buffer each, runtime per worker', () => {
  const e = estimateMemory({ config: SMALL, batchSize: 3, seqLen: 4, threads: 2 });
  assert.ok(Math.abs(e.activations - 2 * 4 * 2659.2) < 1e-9); // ceil(3/2) = 2 rows of 4 tokens per worker
  assert.equal(e.gradients, 4 * 308 * 3);
  assert.equal(e.runtime, RUNTIME_BYTES.process + 2 * RUNTIME_BYTES.perWorker);
});

test('Llama shapes: GQA projections, untied head; LoRA defaults count q/k/v/o', () => {
  const llama: LlamaConfig = { architecture: 'llama', vocabSize: 32, contextLength: 16, dModel: 8, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 2, dFF: 12, rmsNormEps: 1e-5, ropeTheta: 1e4, ropeScaling: null, attentionBias: false, tieEmbeddings: false };
  const e = estimateMemory({ config: llama, batchSize: 1, seqLen: 16, threads: 1, lora: { r: 4, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] } });
  // embed 256 + per layer (8 + q 64 + k 32 + v 32 + o 64 + 8 + 3·96) = 496 + norm 8 + lm_head 256
  assert.equal(e.parameters, 256 + 2 * 496 + 8 + 256);
  // per layer r·(in + out): q 4·(8+8) + k 4·(8+4) + v 4·(8+4) + o 4·(8+8) = 64 + 48 + 48 + 64 = 224
  assert.equal(e.trainable, 2 * 224);
});

test('the warning says so when the estimate passes 80% of free memory', () => {
  const e = estimateMemory({ config: SMALL, batchSize: 2, seqLen: 4, threads: 1 });
  assert.equal(describeEstimate(e, 1, e.total / 0.81).warn, true);
  const ok = describeEstimate(e, 1, e.total / 0.5);
  assert.equal(ok.warn, false);
  assert.match(ok.message, /^memory estimate: 220\.0 MiB \(weights 1\.2 KiB, gradients 1\.2 KiB, optimizer 2\.4 KiB, activations 10\.4 KiB inside compute heap 15\.0 KiB, JS copies 10\.4 KiB, runtime 220\.0 MiB\); 308 of 308 parameters train/);
  assert.match(describeEstimate(e, 1, e.total).message, /may not fit \(use --lora/);
});

const LLAMA_BASE: LlamaConfig = { architecture: 'llama', vocabSize: 300, contextLength: 64, dModel: 48, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 12, dFF: 128, rmsNormEps: 1e-5, ropeTheta: 1e4, ropeScaling: null, attentionBias: false, tieEmbeddings: false };

// Configs the factors were not all fitted on, each pushing a different term: GPT with the head's phase the larger
// (a wide vocabulary), and with a layer's (d_ff, heads, sequence); Llama untied and tied, GQA, wide d_ff (the SwiGLU
// backward the peak), a long sequence over 8 heads (attention's backward) and one short row (the output
// projection's gradient).
const PROFILED: { name: string; config: ModelConfig; rows: number; seqLen: number }[] = [
  { name: 'GPT 2 layers, V 300', config: { vocabSize: 300, contextLength: 32, dModel: 48, nLayers: 2, nHeads: 3 }, rows: 3, seqLen: 32 },
  { name: 'GPT V 1500, head phase', config: { vocabSize: 1500, contextLength: 32, dModel: 32, nLayers: 2, nHeads: 2 }, rows: 2, seqLen: 24 },
  { name: 'GPT d_ff 320, 4 heads, 3 layers', config: { vocabSize: 200, contextLength: 48, dModel: 64, nLayers: 3, nHeads: 4, dFF: 320 }, rows: 3, seqLen: 48 },
  { name: 'Llama GQA 4/2', config: LLAMA_BASE, rows: 3, seqLen: 32 },
  { name: 'Llama tied, 3 layers, d_ff 200', config: { ...LLAMA_BASE, nLayers: 3, dFF: 200, tieEmbeddings: true }, rows: 2, seqLen: 40 },
  { name: 'Llama 8 heads over 4 kv heads, T 64', config: { ...LLAMA_BASE, nHeads: 8, nKvHeads: 4, headDim: 6 }, rows: 2, seqLen: 64 },
  { name: 'Llama one row of 16', config: LLAMA_BASE, rows: 1, seqLen: 16 },
];

for (const { name, config, rows, seqLen } of PROFILED) {
  test(`the activation factors hold: estimate within 3% of tf.profile's peak bytes for a micro-batch (${name})`, async () => {
    const { tf } = await loadBackend();
    const cfg = resolveModelConfig(config);
    const layout = paramLayout(cfg);
    const replica = createReplica(tf, cfg, layout, initParams(layout, 1));
    const grad = new Float32Array(layout.total);
    const slice = { batch: randomBatch(cfg, rows, seqLen, 1), start: 0, end: rows };
    const before = tf.memory().numBytes;
    replica.accumulateGradients(slice, grad); // uploads the weights
    const resident = tf.memory().numBytes - before;
    const profile = await tf.profile(() => { replica.accumulateGradients(slice, grad); });
    replica.dispose();
    const measured = profile.peakBytes - (before + resident);
    const estimated = 4 * activationFloats(config, rows, seqLen);
    assert.ok(Math.abs(estimated / measured - 1) < 0.03, `estimated ${estimated} vs measured ${measured}`);
    // The weights, and the causal mask cached for this length.
    assert.equal(resident, 4 * (deviceWeightFloats(config) + seqLen * seqLen), 'uploaded weights and mask');
  });
}
