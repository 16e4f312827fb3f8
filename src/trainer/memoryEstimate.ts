// How much memory a training run will take, before it starts: weights, gradients, optimizer state, activations,
// each compute worker's wasm heap, its JavaScript arrays and its kernels' own WebAssembly memory, for full
// fine-tuning or LoRA. Pure arithmetic on the config.
//
// TensorFlow.js's wasm heap. Every factor is read off the engine and checked against tf.profile's peak bytes of one
// accumulateGradients call (wasm): exact to the byte on the unit test's 10 configs (test/unit/trainer/
// memoryEstimate.test.ts) and on 240 random ones of both architectures (D 8-96, V 10-2,500, d_ff 4-300, 1-3 layers,
// GQA, biases, tied or not). Attention and the weight gradients xᵀ·dy run in our WebAssembly kernels
// (kernels/index.ts) in their own memory: no attention score, per-head product, transpose or weight-shaped gradient
// is a tensor any more, so no term here grows with T² or with a weight's size. Per micro-batch of N = rows·T
// tokens, in floats:
// - GPT (model.ts): each layer's forward runs in its own tf.tidy keeping only what its backward reads (cacheTensors):
//   LN1's x̂ and output, attention's output, LN2's x̂ and output (5·D), the MLP's pre-activation, its sigmoid and
//   the GELU output (3·F), the two rstd (2): 5·D + 3·F + 2 per token, and all L are alive when the backward starts.
//   On top of those, the larger of two phases: the head's backward (logits and their softmax, which becomes dlogits:
//   2·V; x0, ln_f's output, x̂ and rstd, dhf and the LayerNorm backward's 6·D + 2: 10·D + 3), or the last layer's
//   backward, one tf.tidy whose temporaries all live to its end (x0 and dh; dm and the GELU backward's 9 more
//   [N, F] tensors; two LayerNorm backwards of 6·D + 2; the input gradients of the four linears, dqkv being
//   [N, 3D]; two residual sums: 22·D + 10·F + 4). LayerNorm and bias gradients go into JS arrays: no constant terms.
// - Llama (llama.ts; each op also frees its own temporaries): kept per layer 4·D + 4·F + Q + 2 per token (the two
//   norms' x̂ and outputs, attention's output [N, Q] with Q = H·hd, SwiGLU's gate, up, sigmoid and output, two
//   rstd); q, k and v are JS arrays (below). On top, the largest of: the head's cross-entropy (logits and dlogits,
//   2·V; the final norm's output and x̂, 2·D; its rstd, the targets, weights and per-token losses: 3), the SwiGLU
//   backward (dh, ds and 8 temporaries [N, F]: D + 9·F), the post-attention norm's backward (dh, ds, dgate, dup,
//   the gate/up input gradients and their sum, the norm's 6·D + 2: 10·D + 3·F + 2; the largest only where
//   F < ~1.5·D) or the q/k/v projections' backward (dh, dh1, dq/dk/dv uploaded from the kernel's arrays, Q + 2·KV
//   with KV = Hkv·hd, three input gradients and their sum, the norm's 6·D + 2: 12·D + Q + 2·KV + 2, and with q/k/v
//   biases 3 more, their sums' [1, N] ones; the largest where F < ~1.6·D). Not per token: the norm's weight
//   gradient in those two phases, 2·D (a [1, D] product and its reshape), and the bias sums, Q + 2·KV. Attention's
//   own backward (2·D + Q) and the head's output projection (V + 3·D + 4) are never the largest.
// - Uploaded weights, in each worker: every matrix twice (the backward multiplies by its transpose), vectors once;
//   GPT's position table stays in JS, and so does Llama's untied input embedding (rows are looked up in JS). The
//   causal mask, T² floats, is cached beside them. Both exact. Packed rows have their own rows·T² mask instead.
// - The products TensorFlow.js runs (kernels/tfjsMatMul.ts, a [M, K] · b [K, N] in this heap) keep a packing
//   scratch malloc'd there, grown to the largest M·K + 8·K and never freed: (N + 8) times the widest left operand
//   (dlogits' V, d_ff, GPT's dqkv 3·D, Llama's Q). Not a tensor, so not in tf.profile; the test checks its size.
// Outside that heap, per worker:
// - Attention's caches, JS arrays from each layer's forward to the end of the step (the layers' caches hold them):
//   the probabilities [B, H, T, T] (H·T per token; JS before the kernels too, then only inside the fitted JS ratio
//   below) and the kernel's inputs, GPT's fused qkv (3·D) or Llama's rotated q, k and v (Q + 2·KV):
//   L·N·(3·D + H·T) or L·N·(Q + 2·KV + H·T) floats.
// - The kernels' WebAssembly memory: 1 MiB at first, grown by 64 KiB pages to the largest call's layout past the
//   module's __heap_base (inputs, outputs and scratch, each 16-byte aligned), never given back. Usually attention's
//   backward (q|k|v, P, dy, their gradients, 5·T·hd + T² scratch: with GPT's fused qkv 7·N·D + rows·H·T² + ...);
//   where the vocabulary or d_ff is wide, the xᵀ·dy of the LM head or the MLP (x, dy, dW, a packed copy of the
//   left operand and an 8-column panel: 2·N·V + N·D + V·D + 8·N for the head). Packed rows' masks, rows·T², go
//   into attention's forward layout, which stays below its backward's unless T > ~3·D.
// - LoRA here still computes dL/dW for every weight (the adapters' gradients come from it), so gradient memory is
//   that of full fine-tuning; what LoRA saves is the optimizer state (two moments of the adapters only).
import { isLlama, type ModelConfig } from './engine/types';
import { paramLayout, resolveConfig } from './engine/params';
import { selectTargets } from './engine/lora';

export interface MemoryEstimateInput {
  config: ModelConfig;
  /** Rows per micro-batch. */
  batchSize: number;
  /** Tokens per row. */
  seqLen: number;
  /** Data-parallel workers (1: the replica runs in the trainer's own thread). */
  threads: number;
  lora?: { r: number; targets: string[] } | null;
}

export interface MemoryEstimate {
  parameters: number;
  trainable: number;
  /** All in bytes. */
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  /** One worker's wasm heap: its copy of the weights, the products' scratch and its activation peak, grown as wasm grows. */
  heapPerWorker: number;
  /**
   * JavaScript arrays, per worker: attention's caches (every layer's, until the step ends), and copies of tensors
   * the ops read (peek/dataSync), collected late by V8.
   */
  jsPerWorker: number;
  /** The attention and weight-gradient kernels' own WebAssembly memory, one per worker (kernels/index.ts). */
  kernelsPerWorker: number;
  /** Node, TensorFlow.js and the wasm runtime themselves. */
  runtime: number;
  total: number;
}

export const FLOAT = 4;
/** Factors read off the engine, floats (see the header). */
export const FACTORS = {
  gpt: {
    cachePerD: 5, cachePerF: 3, cachePerToken: 2,
    headPerVocab: 2, headPerD: 10, headPerToken: 3,
    layerPerD: 22, layerPerF: 10, layerPerToken: 4,
  },
  llama: {
    cachePerD: 4, cachePerF: 4, cachePerQ: 1, cachePerToken: 2,
    cePerVocab: 2, cePerD: 2, cePerToken: 3,
    mlpPerD: 1, mlpPerF: 9,
    normPerD: 10, normPerF: 3, normPerToken: 2,
    qkvPerD: 12, qkvPerQ: 1, qkvPerKv: 2, qkvPerToken: 2, qkvPerBias: 3,
    // Not per token: a norm's weight gradient ([1, D] product and its [D] reshape), and q/k/v's bias sums.
    normGradPerD: 2, biasSumsPerWidth: 1,
  },
};
/**
 * Outside the wasm heaps, fitted to the peak RSS of the trainer child (dist/trainer.js, 2 workers, the built-in
 * model on media/samples/multitask-train.jsonl, batches 4, 16 and 32; README): about 1 byte of JavaScript arrays
 * per byte of a worker's activation peak (copies the ops take through peek/dataSync, which V8 frees only when it
 * gets to them), and a runtime of ~260 MiB with two workers. That fit predates the kernels, when the activation
 * peak still had attention-score terms and the probabilities' JS arrays hid in the ratio; the probabilities are
 * now counted once, by attentionCacheFloats, and the score terms are gone. Checked again with the kernels
 * (4229be6: `train --model tiny --steps 100` with its evaluations, peak RSS by GNU time, a 2-core machine):
 * estimate vs RSS 339.0 vs 308.3 MiB (batch 4), 519.9 vs 493.0 MiB (batch 16), 761.0 vs 726.1 MiB (batch 32), 5-10%
 * over; the engine before the kernels measured 577 MiB there at batch 16, against its estimate of 512.8.
 */
export const RUNTIME_BYTES = { process: 220 * 2 ** 20, perWorker: 20 * 2 ** 20 };
export const JS_PER_ACTIVATION_BYTE = 1;
/** Emscripten grows wasm memory by 20% more than asked (at most 96 MiB a time), and never gives it back. */
export const HEAP_GROWTH = { overshoot: 0.2, cap: 96 * 2 ** 20 };
/**
 * The kernels' own WebAssembly.Memory (kernels/index.ts): 16 pages at first, grown by whole 64 KiB pages to the
 * largest call's layout, which starts at the module's __heap_base (the unit test checks it against the module).
 */
export const KERNEL_MEMORY = { initial: 16 * 65536, page: 65536, heapBase: 66560 };

interface Shape { name: string; shape: number[] }

/** Parameter names and shapes of an architecture, without allocating anything. */
export function parameterShapes(config: ModelConfig): Shape[] {
  if (!isLlama(config)) return paramLayout(resolveConfig(config)).specs.map((s) => ({ name: s.name, shape: s.shape }));
  const { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: KV, headDim: hd, dFF: F } = config;
  const out: Shape[] = [{ name: 'model.embed_tokens.weight', shape: [V, D] }];
  for (let i = 0; i < L; i++) {
    const p = `model.layers.${i}.`;
    out.push(
      { name: p + 'input_layernorm.weight', shape: [D] },
      { name: p + 'self_attn.q_proj.weight', shape: [H * hd, D] },
      { name: p + 'self_attn.k_proj.weight', shape: [KV * hd, D] },
      { name: p + 'self_attn.v_proj.weight', shape: [KV * hd, D] },
      { name: p + 'self_attn.o_proj.weight', shape: [D, H * hd] },
      { name: p + 'post_attention_layernorm.weight', shape: [D] },
      { name: p + 'mlp.gate_proj.weight', shape: [F, D] },
      { name: p + 'mlp.up_proj.weight', shape: [F, D] },
      { name: p + 'mlp.down_proj.weight', shape: [D, F] },
    );
    if (config.attentionBias) out.push({ name: p + 'self_attn.q_proj.bias', shape: [H * hd] }, { name: p + 'self_attn.k_proj.bias', shape: [KV * hd] }, { name: p + 'self_attn.v_proj.bias', shape: [KV * hd] });
  }
  out.push({ name: 'model.norm.weight', shape: [D] });
  if (!config.tieEmbeddings) out.push({ name: 'lm_head.weight', shape: [V, D] });
  return out;
}

/**
 * Floats of TensorFlow.js tensors a replica holds at its peak during one micro-batch of `rows` × `seqLen` tokens,
 * beyond its uploaded weights and mask: activations and their gradients (see the header).
 */
export function activationFloats(config: ModelConfig, rows: number, seqLen: number): number {
  const { dModel: D, nLayers: L, vocabSize: V } = config;
  const N = rows * seqLen;
  if (isLlama(config)) {
    const f = FACTORS.llama;
    const F = config.dFF;
    const Q = config.nHeads * config.headDim;
    const KV = config.nKvHeads * config.headDim;
    const caches = N * L * (f.cachePerD * D + f.cachePerF * F + f.cachePerQ * Q + f.cachePerToken);
    const head = N * (f.cePerVocab * V + f.cePerD * D + f.cePerToken);
    const bias = config.attentionBias;
    const layer = Math.max(
      N * (f.mlpPerD * D + f.mlpPerF * F),
      N * (f.normPerD * D + f.normPerF * F + f.normPerToken) + f.normGradPerD * D,
      N * (f.qkvPerD * D + f.qkvPerQ * Q + f.qkvPerKv * KV + f.qkvPerToken + (bias ? f.qkvPerBias : 0))
        + f.normGradPerD * D + (bias ? f.biasSumsPerWidth * (Q + 2 * KV) : 0),
    );
    return caches + Math.max(head, layer);
  }
  const F = config.dFF ?? 4 * D;
  const f = FACTORS.gpt;
  const caches = N * L * (f.cachePerD * D + f.cachePerF * F + f.cachePerToken);
  const head = N * (f.headPerVocab * V + f.headPerD * D + f.headPerToken);
  const layer = N * (f.layerPerD * D + f.layerPerF * F + f.layerPerToken);
  return caches + Math.max(head, layer);
}

/**
 * Floats of attention's caches a replica keeps in JavaScript during one micro-batch: every layer's probabilities
 * [rows, H, T, T] and its copy of the kernel's inputs (GPT's fused qkv [N, 3D]; Llama's rotated q [N, Q], k and v
 * [N, KV]), from that layer's forward to the end of the step.
 */
export function attentionCacheFloats(config: ModelConfig, rows: number, seqLen: number): number {
  const { dModel: D, nLayers: L, nHeads: H } = config;
  const N = rows * seqLen;
  const inputs = isLlama(config) ? (H + 2 * config.nKvHeads) * config.headDim : 3 * D;
  return L * N * (inputs + H * seqLen);
}

/** Floats of `n` floats placed at a 16-byte boundary, as the kernels' Layout does. */
const aligned = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Floats of the largest layout one kernel call places in the kernels' memory during a micro-batch (kernels/index.ts):
 * attention's forward (q, k, v, mask, y, P, 3·T·hd scratch) or backward (q, k, v, P, dy, the gradients, 5·T·hd + T²
 * scratch), or a weight's xᵀ·dy (addTransposedProduct: x, dy, the [in, out] gradient, the bias's sums, 8·N scratch).
 */
export function kernelFloats(config: ModelConfig, rows: number, seqLen: number): number {
  const { dModel: D, nHeads: H, vocabSize: V } = config;
  const T = seqLen;
  const N = rows * T;
  const probabilities = aligned(rows * H * T * T);
  // addTransposedProduct of a [K, M] and b [K, Ncols] into [M, Ncols] (K = N tokens), with the column sums when
  // there is a bias; its scratch holds a packed copy of a and one 8-column panel of b, M·K + 8·K.
  const product = (M: number, Ncols: number, bias: boolean) => aligned(N * M) + aligned(N * Ncols) + aligned(M * Ncols) + (bias ? aligned(Ncols) : 0) + aligned(M * N + 8 * N);
  if (isLlama(config)) {
    const hd = config.headDim;
    const Q = H * hd;
    const KV = config.nKvHeads * hd;
    const qkv = aligned(N * Q) + 2 * aligned(N * KV);
    const forward = qkv + aligned(T * T) + aligned(N * Q) + probabilities + aligned(3 * T * hd);
    const backward = qkv + probabilities + aligned(N * Q) + qkv + aligned(5 * T * hd + T * T);
    const F = config.dFF;
    // dW = dyᵀ·x: M is the weight's output width, Ncols its input width.
    const grads = [product(Q, D, false), product(KV, D, false), product(D, Q, false), product(F, D, false), product(D, F, false), product(V, D, false)];
    return Math.max(forward, backward, ...grads);
  }
  const hd = D / H;
  const F = config.dFF ?? 4 * D;
  const qkv = aligned(N * 3 * D);
  const forward = qkv + aligned(T * T) + aligned(N * D) + probabilities + aligned(3 * T * hd);
  const backward = qkv + probabilities + aligned(N * D) + qkv + aligned(5 * T * hd + T * T);
  // dW = xᵀ·dy ([in, out], with the bias's sums); the head's dlogitsᵀ·hf is [V, D], no bias.
  const grads = [product(D, 3 * D, true), product(D, D, true), product(D, F, true), product(F, D, true), product(V, D, false)];
  return Math.max(forward, backward, ...grads);
}

/**
 * Floats of the packing scratch that TensorFlow.js's products (kernels/tfjsMatMul.ts: a [M, K] · b [K, N] run by
 * the kernels inside the wasm heap) keep allocated in that heap: M·K + 8·K for the widest left operand, grown and
 * never shrunk. Every product has M = N tokens; the widest K is dlogits' V in the head's backward (dlogits·W), or
 * d_ff, 3·D (GPT's dqkv) or Q.
 */
export function matMulScratchFloats(config: ModelConfig, rows: number, seqLen: number): number {
  const { dModel: D, vocabSize: V } = config;
  const widest = isLlama(config)
    ? Math.max(V, D, config.dFF, config.nHeads * config.headDim, config.nKvHeads * config.headDim)
    : Math.max(V, 3 * D, config.dFF ?? 4 * D);
  return widest * (rows * seqLen + 8);
}

/** Bytes of the kernels' WebAssembly memory once a micro-batch has run: whole pages, at least the initial 1 MiB. */
export function kernelMemoryBytes(config: ModelConfig, rows: number, seqLen: number): number {
  const end = KERNEL_MEMORY.heapBase + FLOAT * kernelFloats(config, rows, seqLen);
  return Math.max(KERNEL_MEMORY.initial, Math.ceil(end / KERNEL_MEMORY.page) * KERNEL_MEMORY.page);
}

/** Floats of the weights a replica uploads: matrices twice (with the transposes), vectors once, JS-side tables not. */
export function deviceWeightFloats(config: ModelConfig): number {
  const inJs = isLlama(config) ? (config.tieEmbeddings ? '' : 'model.embed_tokens.weight') : 'wpe.weight';
  return parameterShapes(config).reduce((n, s) => {
    if (s.name === inJs) return n;
    const size = s.shape.reduce((a, b) => a * b, 1);
    return n + (s.shape.length === 2 ? 2 : 1) * size;
  }, 0);
}

export function estimateMemory(input: MemoryEstimateInput): MemoryEstimate {
  const { config, batchSize, seqLen } = input;
  const threads = Math.max(1, Math.floor(input.threads));
  const shapes = parameterShapes(config);
  const P = shapes.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  let trainable = P;
  let frozenCopies = 0;
  if (input.lora) {
    const targets = selectTargets(config, shapes, input.lora.targets);
    trainable = targets.reduce((n, t) => n + input.lora!.r * (t.inFeatures + t.outFeatures), 0);
    // The frozen W0 of each adapted matrix is kept beside the effective weights.
    frozenCopies = targets.reduce((n, t) => n + t.inFeatures * t.outFeatures, 0);
  }
  const rowsPerWorker = Math.ceil(batchSize / threads);
  const activationsPerWorker = FLOAT * activationFloats(config, rowsPerWorker, seqLen);
  const heapNeed = FLOAT * (deviceWeightFloats(config) + seqLen * seqLen + matMulScratchFloats(config, rowsPerWorker, seqLen)) + activationsPerWorker;
  const heapPerWorker = heapNeed + Math.min(HEAP_GROWTH.overshoot * heapNeed, HEAP_GROWTH.cap);
  // Master weights (shared by the workers), LoRA's frozen copies and adapters.
  const weights = FLOAT * (P + frozenCopies + (input.lora ? trainable : 0));
  // The step's summed gradient, plus one buffer per worker when there are workers; LoRA adds the adapters' own.
  const gradients = FLOAT * (P * (threads > 1 ? 1 + threads : 1) + (input.lora ? trainable : 0));
  const optimizer = FLOAT * 2 * trainable;
  const runtime = RUNTIME_BYTES.process + (threads > 1 ? threads * RUNTIME_BYTES.perWorker : 0);
  const activations = activationsPerWorker * threads;
  const jsPerWorker = JS_PER_ACTIVATION_BYTE * activationsPerWorker + FLOAT * attentionCacheFloats(config, rowsPerWorker, seqLen);
  const kernelsPerWorker = kernelMemoryBytes(config, rowsPerWorker, seqLen);
  const total = weights + gradients + optimizer + (heapPerWorker + jsPerWorker + kernelsPerWorker) * threads + runtime;
  return { parameters: P, trainable, weights, gradients, optimizer, activations, heapPerWorker, jsPerWorker, kernelsPerWorker, runtime, total };
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 2 ** 10).toFixed(1)} KiB`;
}

/** Share of free memory a run may plan to use before it is warned about (the OS and the editor need the rest). */
export const SAFE_FRACTION = 0.8;

/** One log line, and whether it should be a warning: more than SAFE_FRACTION of `freeBytes`. */
export function describeEstimate(e: MemoryEstimate, threads: number, freeBytes: number): { message: string; warn: boolean } {
  const warn = e.total > SAFE_FRACTION * freeBytes;
  const heaps = threads > 1 ? `${threads} worker heaps × ${formatBytes(e.heapPerWorker)}` : `compute heap ${formatBytes(e.heapPerWorker)}`;
  const perWorker = (n: number) => (threads > 1 ? `${threads} × ${formatBytes(n)}` : formatBytes(n));
  const message = `memory estimate: ${formatBytes(e.total)} (weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, optimizer ${formatBytes(e.optimizer)}, `
    + `activations ${formatBytes(e.activations)} inside ${heaps}, JS arrays ${perWorker(e.jsPerWorker)}, kernel memory ${perWorker(e.kernelsPerWorker)}, runtime ${formatBytes(e.runtime)}); ${e.trainable.toLocaleString('en')} of ${e.parameters.toLocaleString('en')} parameters train; `
    + `${formatBytes(freeBytes)} free${warn ? ` — more than ${Math.round(SAFE_FRACTION * 100)}% of the free memory: this run may not fit (use --lora, a smaller --batch or --context, or close other programs)` : ''}`;
  return { message, warn };
}
