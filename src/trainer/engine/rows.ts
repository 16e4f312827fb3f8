// What every architecture derives the same way from rows of a batch: positions (restarting at each packed
// segment), checked loss targets and weights, and the additive attention mask.
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import type { Batch } from './types';

/** Rows [start, end) of a batch, with positions and the attention mask derived from its segments. */
export interface RowSlice { batch: Batch; start: number; end: number }

/** Masked attention scores: large enough to vanish in softmax, small enough to stay finite in float32. */
export const NEG = -1e9;

/** Position of every token of the rows: 0, 1, … within each row, restarting where the segment id changes. */
export function rowPositions(slice: RowSlice): Int32Array {
  const { batch, start, end } = slice;
  const T = batch.seqLen;
  const base = start * T;
  const positions = new Int32Array((end - start) * T);
  const seg = batch.segments;
  for (let r = 0; r < end - start; r++) {
    let p = 0;
    for (let t = 0; t < T; t++) {
      const i = r * T + t;
      if (seg && t > 0 && seg[base + i] !== seg[base + i - 1]) p = 0;
      positions[i] = p++;
    }
  }
  return positions;
}

/** Token ids of the rows, each checked against the vocabulary. */
export function rowTokens(slice: RowSlice, vocabSize: number): Int32Array {
  const { batch, start, end } = slice;
  return checkTokenIds(batch.tokens.subarray(start * batch.seqLen, end * batch.seqLen), vocabSize);
}

export function checkTokenIds<A extends ArrayLike<number>>(ids: A, vocabSize: number): A {
  for (let i = 0; i < ids.length; i++) {
    const tok = ids[i];
    if (!(Number.isInteger(tok) && tok >= 0 && tok < vocabSize)) throw new Error(`token id ${tok} is outside the vocabulary (0..${vocabSize - 1})`);
  }
  return ids;
}

/**
 * Targets and loss weights of the rows, checked; an untrained target (weight 0) becomes -1 (an all-zero one-hot
 * row). Weights may be negative: DPO weights each token by its pair's loss coefficient.
 */
export function lossTargets(slice: RowSlice, vocabSize: number): { targets: Int32Array; weights: Float32Array; weightSum: number } {
  const { batch, start, end } = slice;
  const base = start * batch.seqLen;
  const n = (end - start) * batch.seqLen;
  const targets = new Int32Array(n);
  const weights = new Float32Array(n);
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    const wi = batch.weights[base + i];
    if (!Number.isFinite(wi)) throw new Error(`loss weight ${wi} must be a finite number`);
    const y = batch.targets[base + i];
    if (wi !== 0 && !(y >= 0 && y < vocabSize)) throw new Error(`target id ${y} is outside the vocabulary (0..${vocabSize - 1})`);
    // A target that is never trained may be anything (e.g. -1 padding).
    targets[i] = wi !== 0 ? y : -1;
    weights[i] = wi;
    weightSum += wi;
  }
  return { targets, weights, weightSum };
}

/**
 * Additive attention masks [B or 1, 1, T, T]: the causal one is kept between calls (same for every batch of a
 * length), a packed batch's is built per call. `release` frees a mask unless it is the kept one.
 */
export class AttentionMasks {
  private causalMask: { seq: number; mask: Tensor } | null = null;

  constructor(private readonly tf: Tf) {}

  of(slice: RowSlice): Tensor {
    const seg = slice.batch.segments;
    return seg ? this.segmentMask(seg, slice.start * slice.batch.seqLen, slice.end - slice.start, slice.batch.seqLen) : this.causal(slice.batch.seqLen);
  }

  release(mask: Tensor): void {
    if (mask !== this.causalMask?.mask) mask.dispose();
  }

  dispose(): void {
    this.causalMask?.mask.dispose();
    this.causalMask = null;
  }

  private causal(T: number): Tensor {
    if (this.causalMask?.seq !== T) {
      this.causalMask?.mask.dispose();
      this.causalMask = { seq: T, mask: causalMask(this.tf, T) };
    }
    return this.causalMask.mask;
  }

  private segmentMask(seg: Int32Array, base: number, rows: number, T: number): Tensor {
    const m = new Float32Array(rows * T * T);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < T; i++) {
        const si = seg[base + r * T + i];
        for (let j = 0; j < T; j++) {
          if (j > i || seg[base + r * T + j] !== si) m[(r * T + i) * T + j] = NEG;
        }
      }
    }
    return this.tf.tensor4d(m, [rows, 1, T, T]);
  }
}

export function causalMask(tf: Tf, T: number): Tensor {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = NEG;
  return tf.tensor4d(m, [1, 1, T, T]);
}

/** A batch of one row over a whole sequence, untrained: what lastLogits runs. */
export function sequenceSlice(sequence: readonly number[]): RowSlice {
  const T = sequence.length;
  const batch: Batch = { batchSize: 1, seqLen: T, tokens: Int32Array.from(sequence), targets: new Int32Array(T), weights: new Float32Array(T) };
  return { batch, start: 0, end: 1 };
}

/** Per-token values [rows, T] summed along each row. */
export function sumPerRow(perToken: Float32Array, rows: number, T: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let t = 0; t < T; t++) sum += perToken[r * T + t];
    out[r] = sum;
  }
  return out;
}

export function addInto(dst: Float32Array, offset: number, src: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[offset + i] += src[i];
}
