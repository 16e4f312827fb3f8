// How much memory a training run will take, before it starts: weights, gradients, optimizer state, activations and
// each compute worker's wasm heap, for full fine-tuning or LoRA. Pure arithmetic on the config.
//
// The factors come from this engine, measured with tf.profile's peak bytes of one accumulateGradients call
// (GPT replica, wasm; see test/unit/trainer/memoryEstimate.test.ts, which re-measures them):
// - Every tensor of a micro-batch's forward and backward lives until the micro-batch ends (one tf.tidy), so the
//   activation peak is all of them, not just what the backward reads: per token and layer 68·D + 23.5·F floats
//   (162·D at F = 4D) plus 17 per attention score (H·T), and per token 11·V (the logits' softmax and its gradient)
//   and 14·D (embeddings, final norm).
// - Weight-shaped gradient tensors of the micro-batch: 1.05 × the parameters; uploaded weights with the transposes
//   the backward multiplies by: 2 × the parameters, in each worker.
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
  /** One worker's wasm heap: its copy of the weights, its activation peak and its gradient tensors, grown as wasm grows. */
  heapPerWorker: number;
  /** Node, TensorFlow.js and the wasm runtime themselves. */
  runtime: number;
  total: number;
}

export const FLOAT = 4;
/** Measured factors (see the header). */
export const FACTORS = { perD: 68, perF: 23.5, perScore: 17, perVocab: 11, perDOutside: 14, gradTemps: 1.05, deviceWeights: 2 };
/**
 * RSS of the trainer child (dist/trainer.js, wasm, data of a few thousand records) around a negligible model: ~140 MiB
 * with two workers, measured here.
 */
export const RUNTIME_BYTES = { process: 100 * 2 ** 20, perWorker: 20 * 2 ** 20 };
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

/** Activation floats of one token's forward and backward (all alive at the micro-batch's end). */
export function activationFloatsPerToken(config: ModelConfig, seqLen: number): number {
  const D = config.dModel;
  const F = isLlama(config) ? config.dFF : config.dFF ?? 4 * D;
  const f = FACTORS;
  return config.nLayers * (f.perD * D + f.perF * F + f.perScore * config.nHeads * seqLen) + f.perVocab * config.vocabSize + f.perDOutside * D;
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
  const activationsPerWorker = FLOAT * rowsPerWorker * seqLen * activationFloatsPerToken(config, seqLen);
  const heapNeed = FLOAT * (FACTORS.deviceWeights + FACTORS.gradTemps) * P + activationsPerWorker;
  const heapPerWorker = heapNeed + Math.min(HEAP_GROWTH.overshoot * heapNeed, HEAP_GROWTH.cap);
  // Master weights (shared by the workers), LoRA's frozen copies and adapters.
  const weights = FLOAT * (P + frozenCopies + (input.lora ? trainable : 0));
  // The step's summed gradient, plus one buffer per worker when there are workers; LoRA adds the adapters' own.
  const gradients = FLOAT * (P * (threads > 1 ? 1 + threads : 1) + (input.lora ? trainable : 0));
  const optimizer = FLOAT * 2 * trainable;
  const runtime = RUNTIME_BYTES.process + (threads > 1 ? threads * RUNTIME_BYTES.perWorker : 0);
  const activations = activationsPerWorker * threads;
  const total = weights + gradients + optimizer + heapPerWorker * threads + runtime;
  return { parameters: P, trainable, weights, gradients, optimizer, activations, heapPerWorker, runtime, total };
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
  const message = `memory estimate: ${formatBytes(e.total)} (weights ${formatBytes(e.weights)}, gradients ${formatBytes(e.gradients)}, optimizer ${formatBytes(e.optimizer)}, `
    + `activations ${formatBytes(e.activations)} inside ${heaps}, runtime ${formatBytes(e.runtime)}); ${e.trainable.toLocaleString('en')} of ${e.parameters.toLocaleString('en')} parameters train; `
    + `${formatBytes(freeBytes)} free${warn ? ` — more than ${Math.round(SAFE_FRACTION * 100)}% of the free memory: this run may not fit (use --lora, a smaller --batch or --context, or close other programs)` : ''}`;
  return { message, warn };
}
