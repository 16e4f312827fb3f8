// How much memory a training run will take, before it starts: weights, gradients, optimizer state, activations and
// each compute worker's wasm heap, for full fine-tuning or LoRA. Pure arithmetic on the config.
//
// The factors come from this engine, checked against tf.profile's peak bytes of one accumulateGradients call over 12
// GPT and 21 Llama configs (wasm; test/unit/trainer/memoryEstimate.test.ts re-measures some of both). Per micro-batch
// of N = rows·T tokens, in floats:
// - GPT: each layer's forward runs in its own tf.tidy keeping only what its backward reads, 8·D + 3·F + 2 per token
//   (read off model.ts's cacheTensors), and all L of them are alive when the backward starts. On top of those, the
//   peak is the larger of two phases: the head (logits, their softmax reused as dlogits, its transpose for the
//   [V, D] gradient of the output projection, which is there too; the final LayerNorm and the embeddings:
//   3·V + 10·D per token, + V·D), which is exact to 0.1% where it is the larger, or a layer's own transients
//   (18.2·D + 10.1·F per token, 2 per attention score, rows·H·T², fitted). Parameter gradients go from the wasm
//   heap straight into JS arrays, so no weight-shaped gradient tensor outlives a matMul.
// - Llama (llama.ts) the same way (each op frees its own temporaries too), every term read off the code and exact to
//   a few bytes on 19 of the 21; q/k/v biases add a few floats per token (0.4%), packed rows their own rows·T² mask.
//   Kept per layer (its cacheTensors): 4·D + 4·F + 2·Q + 2·KV + 2 per token, Q = H·hd the query width, KV = Hkv·hd
//   that of keys and values (GQA); attention probabilities stay in JS. On top, the largest phase of: the head's
//   cross-entropy (logits and dlogits, 2·V + 2·D + 3 per token), its output projection's gradient (V + 4·D + 4 per
//   token, + V·D: the peak for short micro-batches), a layer's SwiGLU backward (D + 9·F), attention's backward
//   (2·D + 2·Q + H per token, 6 per score rows·H·T²: dS and its softmax terms) or the q/k/v projections' backward
//   (12·D + Q + 2·KV + 5; the largest only where d_ff < ~1.6·D).
// - Uploaded weights, in each worker: every matrix twice (the backward multiplies by its transpose), vectors once;
//   GPT's position table stays in JS, and so does Llama's untied input embedding (rows are looked up in JS). The
//   causal mask, T² floats, is cached beside them. Both exact.
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
  /** One worker's wasm heap: its copy of the weights and its activation peak, grown as wasm grows. */
  heapPerWorker: number;
  /** JavaScript copies of tensors the kernels read (peek/dataSync), collected late by V8: per worker. */
  jsPerWorker: number;
  /** Node, TensorFlow.js and the wasm runtime themselves. */
  runtime: number;
  total: number;
}

export const FLOAT = 4;
/** Measured factors, floats (see the header). */
export const FACTORS = {
  gpt: {
    cachePerD: 8, cachePerF: 3, cachePerToken: 2,
    headPerVocab: 3, headPerD: 10, headPerVD: 1,
    layerPerD: 18.2, layerPerF: 10.1, layerPerScore: 2,
  },
  llama: {
    cachePerD: 4, cachePerF: 4, cachePerQ: 2, cachePerKv: 2, cachePerToken: 2,
    cePerVocab: 2, cePerD: 2, cePerToken: 3,
    projPerVocab: 1, projPerD: 4, projPerToken: 4, projPerVD: 1,
    mlpPerD: 1, mlpPerF: 9,
    attnPerD: 2, attnPerQ: 2, attnPerHead: 1, attnPerScore: 6,
    qkvPerD: 12, qkvPerQ: 1, qkvPerKv: 2, qkvPerToken: 5,
  },
};
/**
 * Outside the wasm heaps, fitted to the peak RSS of the trainer child (dist/trainer.js, 2 workers, the built-in
 * model on media/samples/multitask-train.jsonl, batches 4, 16 and 32; README): about 1 byte of JavaScript arrays
 * per byte of a worker's activation peak (copies the ops take through peek/dataSync, which V8 frees only when it
 * gets to them), and a runtime of ~260 MiB with two workers. Within 6% of the measured RSS there (V8's collection
 * timing moves it a few percent between runs); the wasm heap side is what the unit test checks against tf.profile.
 */
export const RUNTIME_BYTES = { process: 220 * 2 ** 20, perWorker: 20 * 2 ** 20 };
export const JS_PER_ACTIVATION_BYTE = 1;
/** Emscripten grows wasm memory by 20% more than asked (at most 96 MiB a time), and never gives it back. */
export const HEAP_GROWTH = { overshoot: 0.2, cap: 96 * 2 ** 20 };

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
 * Floats a replica holds at its peak during one micro-batch of `rows` × `seqLen` tokens, beyond its uploaded
 * weights: activations, and the one weight-shaped gradient tensor alive at a time.
 */
export function activationFloats(config: ModelConfig, rows: number, seqLen: number): number {
  const { dModel: D, nLayers: L, nHeads: H, vocabSize: V } = config;
  const N = rows * seqLen;
  if (isLlama(config)) {
    const f = FACTORS.llama;
    const F = config.dFF;
    const Q = H * config.headDim;
    const KV = config.nKvHeads * config.headDim;
    const caches = N * L * (f.cachePerD * D + f.cachePerF * F + f.cachePerQ * Q + f.cachePerKv * KV + f.cachePerToken);
    const head = Math.max(
      N * (f.cePerVocab * V + f.cePerD * D + f.cePerToken),
      N * (f.projPerVocab * V + f.projPerD * D + f.projPerToken) + f.projPerVD * V * D,
    );
    const layer = Math.max(
      N * (f.mlpPerD * D + f.mlpPerF * F),
      N * (f.attnPerD * D + f.attnPerQ * Q + f.attnPerHead * H) + f.attnPerScore * rows * H * seqLen * seqLen,
      N * (f.qkvPerD * D + f.qkvPerQ * Q + f.qkvPerKv * KV + f.qkvPerToken),
    );
    return caches + Math.max(head, layer);
  }
  const F = config.dFF ?? 4 * D;
  const f = FACTORS.gpt;
  const caches = N * L * (f.cachePerD * D + f.cachePerF * F + f.cachePerToken);
  const head = N * (f.headPerVocab * V + f.headPerD * D) + f.headPerVD * V * D;
  const layer = N * (f.layerPerD * D + f.layerPerF * F) + f.layerPerScore * rows * H * seqLen * seqLen;
  return caches + Math.max(head, layer);
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
  const heapNeed = FLOAT * (deviceWeightFloats(config) + seqLen * seqLen) + activationsPerWorker;
  const heapPerWorker = heapNeed + Math.min(HEAP_GROWTH.overshoot * heapNeed, HEAP_GROWTH.cap);
  // Master weights (shared by the workers), LoRA's frozen copies and adapters.
  const weights = FLOAT * (P + frozenCopies + (input.lora ? trainable : 0));
  // The step's summed gradient, plus one buffer per worker when there are workers; LoRA adds the adapters' own.
  const gradients = FLOAT * (P * (threads > 1 ? 1 + threads : 1) + (input.lora ? trainable : 0));
  const optimizer = FLOAT * 2 * trainable;
  const runtime = RUNTIME_BYTES.process + (threads > 1 ? threads * RUNTIME_BYTES.perWorker : 0);
  const activations = activationsPerWorker * threads;
  const jsPerWorker = JS_PER_ACTIVATION_BYTE * activationsPerWorker;
  const total = weights + gradients + optimizer + (heapPerWorker + jsPerWorker) * threads + runtime;
  return { parameters: P, trainable, weights, gradients, optimizer, activations, heapPerWorker, jsPerWorker, runtime, total };
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
  const js = threads > 1 ? `${threads} × ${formatBytes(e.jsPerWorker)}` : formatBytes(e.jsPerWorker);
  const message = `memory estimate: ${formatBytes(e.total)} (weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, optimizer ${formatBytes(e.optimizer)}, `
    + `activations ${formatBytes(e.activations)} inside ${heaps}, JS copies ${js}, runtime ${formatBytes(e.runtime)}); ${e.trainable.toLocaleString('en')} of ${e.parameters.toLocaleString('en')} parameters train; `
    + `${formatBytes(freeBytes)} free${warn ? ` — more than ${Math.round(SAFE_FRACTION * 100)}% of the free memory: this run may not fit (use --lora, a smaller --batch or --context, or close other programs)` : ''}`;
  return { message, warn };
}
