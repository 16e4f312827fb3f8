// Where gradients are computed: one replica in this thread, or data-parallel worker threads (pool.ts).
// Both accumulate summed (not averaged) gradients so splitting rows never changes the maths.
import type { Batch, BackendInfo } from './types';

export interface GradientResult { lossSum: number; weightSum: number }

export interface Compute {
  readonly backend: BackendInfo;
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
