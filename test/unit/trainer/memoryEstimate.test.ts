// The memory estimate: hand-computed figures for a small config (full fine-tuning, LoRA, two workers), the warning
// threshold, attention's JS caches and the kernels' own memory for the demo config, and the activation factors and
// the kernels' largest layout re-measured against TensorFlow.js's own peak-bytes count and the kernels themselves.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KERNEL_MEMORY, RUNTIME_BYTES, activationFloats, attentionCacheFloats, describeEstimate, deviceWeightFloats, estimateMemory, kernelFloats, kernelMemoryBytes, matMulScratchFloats } from '../../../src/trainer/memoryEstimate';
import { loadBackend } from '../../../src/trainer/backend/index';
import { createReplica } from '../../../src/trainer/engine/replica';
import { initParams, paramLayout, resolveModelConfig } from '../../../src/trainer/engine/params';
import type { GptConfig, LlamaConfig, ModelConfig } from '../../../src/trainer/engine/types';
import { randomBatch } from '../engine/helpers';
import { Kernels } from '../../../src/trainer/kernels/index';
import { KERNELS_WASM_BASE64 } from '../../../src/trainer/kernels/kernelsWasm';
import { kernelMatMulActive } from '../../../src/trainer/kernels/tfjsMatMul';

// V 10, T 4, D 4, 1 layer, 2 heads, dFF 16, tied: wte 40 + wpe 16 + ln_1 8 + c_attn 48+12 + c_proj 16+4 + ln_2 8
// + c_fc 64+16 + mlp.c_proj 64+4 + ln_f 8 = 308 parameters.
const SMALL: GptConfig = { vocabSize: 10, contextLength: 4, dModel: 4, nLayers: 1, nHeads: 2 };

test('full fine-tuning, one thread: every figure by hand', () => {
  const e = estimateMemory({ config: SMALL, batchSize: 2, seqLen: 4, threads: 1 });
  assert.equal(e.parameters, 308);
  assert.equal(e.trainable, 308);
  // N = 8 tokens. Kept caches 8·1·(5·4 + 3·16 + 2) = 560; head 8·(2·10 + 10·4 + 3) = 504; the layer's backward
  // 8·(22·4 + 10·16 + 4) = 2016, the larger: 560 + 2016 = 2576 floats.
  assert.equal(activationFloats(SMALL, 2, 4), 2576);
  assert.equal(e.activations, 4 * 2576);
  // Uploaded: matrices twice (wte 80, c_attn 96, c_proj 32, c_fc 128, mlp.c_proj 128), vectors once (ln 24 + biases 36),
  // wpe not at all.
  assert.equal(deviceWeightFloats(SMALL), 524);
  assert.equal(e.weights, 4 * 308);
  assert.equal(e.gradients, 4 * 308);
  assert.equal(e.optimizer, 4 * 2 * 308); // m and v
  // The products' packing scratch in the wasm heap, for the widest left operand (d_ff: fc.y, dfc [8, 16]): 16·(8 + 8)
  assert.equal(matMulScratchFloats(SMALL, 2, 4), 256);
  // device weights, the 4×4 causal mask, that scratch and activations; wasm memory grown 20% past that
  assert.ok(Math.abs(e.heapPerWorker - 1.2 * (4 * 524 + 4 * 16 + 4 * 256 + 4 * 2576)) < 1e-6);
  // JavaScript: copies of what the ops read, as many bytes as the activation peak, and attention's caches,
  // 1 layer · 8 tokens · (qkv 3·4 + probabilities 2 heads · 4) = 160 floats
  assert.equal(attentionCacheFloats(SMALL, 2, 4), 160);
  assert.equal(e.jsPerWorker, 4 * 2576 + 4 * 160);
  // The kernels' largest call, mlp.c_proj's xᵀ·dy (x 8·16, dy 8·4, dW 16·4, db 4, scratch 16·8 + 8·8: 420 floats;
  // attention's backward is 344), fits in their initial 16 pages after __heap_base.
  assert.equal(kernelFloats(SMALL, 2, 4), 420);
  assert.equal(e.kernelsPerWorker, 2 ** 20);
  assert.equal(e.runtime, RUNTIME_BYTES.process);
  assert.ok(Math.abs(e.total - (1232 + 1232 + 2464 + 1.2 * 13488 + 4 * 2576 + 4 * 160 + 2 ** 20 + RUNTIME_BYTES.process)) < 1e-6);
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
  assert.equal(e.activations, 2 * 4 * 2576); // ceil(3/2) = 2 rows of 4 tokens per worker
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
  assert.match(ok.message, /^memory estimate: 221\.0 MiB \(weights 1\.2 KiB, gradients 1\.2 KiB, optimizer 2\.4 KiB, activations 10\.1 KiB inside compute heap 15\.8 KiB, JS arrays 10\.7 KiB, kernel memory 1\.0 MiB, runtime 220\.0 MiB\); 308 of 308 parameters train/);
  const two = estimateMemory({ config: SMALL, batchSize: 2, seqLen: 4, threads: 2 });
  assert.match(describeEstimate(two, 2, two.total / 0.5).message, /inside 2 worker heaps × [0-9.]+ KiB, JS arrays 2 × [0-9.]+ KiB, kernel memory 2 × 1\.0 MiB, runtime 260\.0 MiB/);
  assert.match(describeEstimate(e, 1, e.total).message, /may not fit \(use --lora/);
});

const DEMO: GptConfig = { vocabSize: 263, contextLength: 128, dModel: 128, nLayers: 2, nHeads: 4 };

test('attention caches in JS and the kernels\' own memory, by hand: the demo (8 rows of 128 tokens per worker, 2 workers)', () => {
  // N = 1024 tokens. Each layer keeps its fused qkv [N, 384] and probabilities [8, 4, 128, 128] (4·128 per token)
  // until the step ends: 2 · 1024 · (384 + 512) = 1,835,008 floats, 7 MiB per worker.
  assert.equal(attentionCacheFloats(DEMO, 8, 128), 1_835_008);
  // The largest kernel call is attention's backward: qkv 1024·384 = 393,216, P 524,288, dy 131,072, dqkv 393,216,
  // scratch 5·128·32 + 128² = 36,864: 1,478,656 floats. Above the forward's 1,077,248 (qkv, mask 16,384, y 131,072,
  // P, scratch 3·128·32), mlp.c_proj's xᵀ·dy 1,253,504 (x 1024·512, dy 1024·128, dW 512·128, db 128, scratch
  // 512·1024 + 8·1024) and the head's 711,552 (1024·263 + 1024·128 + 263·128 + 263·1024 + 8·1024).
  assert.equal(kernelFloats(DEMO, 8, 128), 1_478_656);
  // 66,560 + 4 · 1,478,656 = 5,981,184 bytes, grown by whole pages: 92 · 64 KiB = 6,029,312 (5.75 MiB).
  assert.equal(KERNEL_MEMORY.heapBase, 66_560);
  assert.equal(kernelMemoryBytes(DEMO, 8, 128), 6_029_312);
  const e = estimateMemory({ config: DEMO, batchSize: 16, seqLen: 128, threads: 2 });
  assert.equal(e.activations, 2 * 4 * 12_591_104); // 2·1024·(5·128 + 3·512 + 2) + 1024·(22·128 + 10·512 + 4) per worker
  assert.equal(e.jsPerWorker, 4 * 12_591_104 + 4 * 1_835_008);
  assert.equal(e.kernelsPerWorker, 6_029_312);
  // The products' scratch in each wasm heap: d_ff 512 is the widest left operand, 512·(1024 + 8) floats (2 MiB).
  assert.equal(matMulScratchFloats(DEMO, 8, 128), 528_384);
  assert.ok(Math.abs(e.total - (e.weights + e.gradients + e.optimizer + 2 * (e.heapPerWorker + e.jsPerWorker + e.kernelsPerWorker) + e.runtime)) < 1e-6);
  // A wide vocabulary: the head's xᵀ·dy is the largest call, dlogits, hf, dW and the packed dlogits:
  // 1024·50,000 + 1024·128 + 50,000·128 + (50,000·1024 + 8·1024) floats. Its products' scratch is dlogits': V·(N + 8).
  assert.equal(kernelFloats({ ...DEMO, vocabSize: 50_000 }, 8, 128), 108_939_264);
  assert.equal(matMulScratchFloats({ ...DEMO, vocabSize: 50_000 }, 8, 128), 50_000 * 1032);
  // Llama: q [N, Q], k and v [N, KV] and the probabilities, 2 layers · 16 tokens · (8 + 2·4 + 4·16) = 2560 floats.
  const llama: LlamaConfig = { architecture: 'llama', vocabSize: 32, contextLength: 16, dModel: 8, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 2, dFF: 12, rmsNormEps: 1e-5, ropeTheta: 1e4, ropeScaling: null, attentionBias: false, tieEmbeddings: false };
  assert.equal(attentionCacheFloats(llama, 1, 16), 2560);
});

test('the kernels\' layouts start at the module\'s own __heap_base', () => {
  const module = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  const memory = new WebAssembly.Memory({ initial: KERNEL_MEMORY.initial / KERNEL_MEMORY.page });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  assert.equal((exports.__heap_base as WebAssembly.Global).value, KERNEL_MEMORY.heapBase);
});

const LLAMA_BASE: LlamaConfig = { architecture: 'llama', vocabSize: 300, contextLength: 64, dModel: 48, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 12, dFF: 128, rmsNormEps: 1e-5, ropeTheta: 1e4, ropeScaling: null, attentionBias: false, tieEmbeddings: false };

// Configs pushing different terms: GPT with the head's phase the larger (a wide vocabulary), and with a layer's
// (d_ff, heads, sequence); Llama untied and tied, GQA, wide d_ff (the SwiGLU backward the peak), a long sequence over
// 8 heads, one short row, a wide vocabulary (the cross-entropy the peak), d_ff under 1.5·D with GQA 4/1 (the
// post-attention norm's backward) and d_ff under D with q/k/v biases and Q, KV twice D (the projections' backward).
const PROFILED: { name: string; config: ModelConfig; rows: number; seqLen: number }[] = [
  { name: 'GPT 2 layers, V 300', config: { vocabSize: 300, contextLength: 32, dModel: 48, nLayers: 2, nHeads: 3 }, rows: 3, seqLen: 32 },
  { name: 'GPT V 1500, head phase', config: { vocabSize: 1500, contextLength: 32, dModel: 32, nLayers: 2, nHeads: 2 }, rows: 2, seqLen: 24 },
  { name: 'GPT d_ff 320, 4 heads, 3 layers', config: { vocabSize: 200, contextLength: 48, dModel: 64, nLayers: 3, nHeads: 4, dFF: 320 }, rows: 3, seqLen: 48 },
  { name: 'Llama GQA 4/2', config: LLAMA_BASE, rows: 3, seqLen: 32 },
  { name: 'Llama tied, 3 layers, d_ff 200', config: { ...LLAMA_BASE, nLayers: 3, dFF: 200, tieEmbeddings: true }, rows: 2, seqLen: 40 },
  { name: 'Llama 8 heads over 4 kv heads, T 64', config: { ...LLAMA_BASE, nHeads: 8, nKvHeads: 4, headDim: 6 }, rows: 2, seqLen: 64 },
  { name: 'Llama one row of 16', config: LLAMA_BASE, rows: 1, seqLen: 16 },
  { name: 'Llama V 2000, head phase', config: { ...LLAMA_BASE, vocabSize: 2000 }, rows: 2, seqLen: 32 },
  { name: 'Llama d_ff 88, D 64, GQA 4/1: post-attention norm', config: { ...LLAMA_BASE, vocabSize: 100, dModel: 64, nHeads: 4, nKvHeads: 1, headDim: 16, dFF: 88 }, rows: 3, seqLen: 20 },
  { name: 'Llama d_ff 32, q/k/v biases: projections', config: { ...LLAMA_BASE, vocabSize: 50, dModel: 64, nHeads: 8, nKvHeads: 8, headDim: 16, dFF: 32, attentionBias: true }, rows: 2, seqLen: 30 },
];

/** The kernels' memory (private to kernels/index.ts), and the bytes each call's layout asks it for. */
const kernelsMemory = () => (Kernels.get() as unknown as { memory: WebAssembly.Memory }).memory.buffer.byteLength;
const kernelsProto = Kernels.prototype as unknown as { reserve(bytes: number): void };

for (const { name, config, rows, seqLen } of PROFILED) {
  test(`the activation factors hold: estimate within 3% of tf.profile's peak bytes for a micro-batch (${name})`, async () => {
    const { tf } = await loadBackend();
    const cfg = resolveModelConfig(config);
    const layout = paramLayout(cfg);
    const replica = createReplica(tf, cfg, layout, initParams(layout, 1));
    const grad = new Float32Array(layout.total);
    const slice = { batch: randomBatch(cfg, rows, seqLen, 1), start: 0, end: rows };
    const before = tf.memory().numBytes;
    const kernelsBefore = kernelsMemory();
    const reserve = kernelsProto.reserve;
    let largest = 0;
    kernelsProto.reserve = function (this: unknown, bytes: number) {
      largest = Math.max(largest, bytes);
      reserve.call(this, bytes);
    };
    // The products' scratch, M·K + 8·K floats for a [M, K] (tfjsMatMul.ts).
    const engine = tf.engine() as unknown as { runKernel(name: string, inputs: Record<string, { shape: number[] }>, attrs: object): unknown };
    const runKernel = engine.runKernel;
    let scratch = 0;
    engine.runKernel = function (this: unknown, name, inputs, attrs) {
      if (name === 'InstructStudioMatMul') scratch = Math.max(scratch, inputs.a.shape[0] * inputs.a.shape[1] + 8 * inputs.a.shape[1]);
      return runKernel.call(this, name, inputs, attrs);
    };
    try {
      replica.accumulateGradients(slice, grad); // uploads the weights
    } finally {
      kernelsProto.reserve = reserve;
      engine.runKernel = runKernel;
    }
    const resident = tf.memory().numBytes - before;
    const profile = await tf.profile(() => { replica.accumulateGradients(slice, grad); });
    replica.dispose();
    // The kernels' largest layout, exactly, and their memory grown to it (it never shrinks: earlier cases count).
    assert.equal(largest, KERNEL_MEMORY.heapBase + 4 * kernelFloats(config, rows, seqLen), 'kernels\' largest layout');
    assert.equal(kernelsMemory(), Math.max(kernelsBefore, kernelMemoryBytes(config, rows, seqLen)), 'kernels\' memory');
    if (kernelMatMulActive(tf)) assert.equal(scratch, matMulScratchFloats(config, rows, seqLen), 'products\' scratch');
    const measured = profile.peakBytes - (before + resident);
    const estimated = 4 * activationFloats(config, rows, seqLen);
    assert.ok(Math.abs(estimated / measured - 1) < 0.03, `estimated ${estimated} vs measured ${measured}`);
    // The weights, and the causal mask cached for this length.
    assert.equal(resident, 4 * (deviceWeightFloats(config) + seqLen * seqLen), 'uploaded weights and mask');
  });
}
