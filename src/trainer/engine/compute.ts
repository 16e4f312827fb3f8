// Where gradients are computed: one replica in this thread, or data-parallel worker threads (pool.ts).
// Both accumulate summed (not averaged) gradients so splitting rows never changes the maths.
import type { Batch, BackendInfo, OptimizerSettings } from './types';
import type { Replica } from './replica';

export interface GradientResult { lossSum: number; weightSum: number }

/**
 * A training step split across data-parallel workers: the workers keep their gradients, then each averages and
 * updates its own slice of the parameters (no thread adds up every gradient or runs AdamW over all of them).
 */
export interface ShardedOptimizer {
  /** Gradients of the micro-batches, left in each worker's buffer. */
  gradientsInWorkers(microBatches: Batch[]): Promise<GradientResult>;
  /** grad = (Σ over workers of their buffers) · inv, each worker its slice; returns Σ grad² over all of it. */
  reduce(inv: number): Promise<number>;
  /** AdamW at optimizer step `step` with the gradient scaled by `scale` (clipping), each worker its slice. */
  update(opt: OptimizerSettings, scale: number, step: number): Promise<void>;
}

export interface Compute {
  readonly backend: BackendInfo;
  /** The replica computing in this thread, if any: generation reuses it rather than hold a second copy of the weights. */
  readonly replica?: Replica;
  /** Where workers run the optimizer step themselves (full fine-tuning on data-parallel workers). */
  readonly sharded?: ShardedOptimizer;
  /** Adds the gradient of Σ wᵢ·lossᵢ over all micro-batches into `grad`. */
  gradients(microBatches: Batch[], grad: Float32Array): Promise<GradientResult>;
  loss(batch: Batch): Promise<GradientResult>;
  /** Σ wᵢ·lossᵢ of each row of the batch. */
  rowLosses(batch: Batch): Promise<Float32Array>;
  lastLogits(sequences: number[][]): Promise<Float32Array[]>;
  /** The master weights were written: replicas must re-upload before their next use. */
  weightsChanged(): void;
  dispose(): Promise<void>;
}

/** Splits `rows` into `parts` contiguous ranges as evenly as possible (the first ones get the extra rows). */
export function splitRows(rows: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const n = Math.floor(rows / parts) + (p < rows % parts ? 1 : 0);
    out.push([start, start + n]);
    start += n;
  }
  return out;
}

export function validateBatch(b: Batch): void {
  const n = b.batchSize * b.seqLen;
  if (!(Number.isInteger(b.batchSize) && b.batchSize > 0 && Number.isInteger(b.seqLen) && b.seqLen > 0)) {
    throw new Error(`batch shape must be positive integers, got ${b.batchSize} × ${b.seqLen}`);
  }
  for (const [k, a] of [['tokens', b.tokens], ['targets', b.targets], ['weights', b.weights], ['segments', b.segments]] as const) {
    if (a && a.length !== n) throw new Error(`batch.${k} has ${a.length} values, expected ${b.batchSize} × ${b.seqLen} = ${n}`);
  }
}
