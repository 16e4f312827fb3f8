// The KV cache of a generation session and the attention of new tokens over it.
// Keys and values live in plain Float32Arrays, one [rows, kvHeads, window, headDim] block per layer, not in
// tensors: a new token's attention is a matrix-vector product per (row, head) over at most `window` cached
// positions (a few thousand multiply-adds), where a TensorFlow.js op costs tens of microseconds just to
// dispatch on wasm, so the loops below run faster in JS than hundreds of tiny matMuls would. The big
// products (projections, MLP, logits) stay 2-D tfjs matMuls in the model's own forward (Replica.generationForward).

import type { HeadRows } from './replica';

/** `kvHeads` < `heads`: grouped-query attention, each contiguous group of query heads reads one kv head. */
export interface CacheShape { rows: number; layers: number; heads: number; kvHeads: number; headDim: number; window: number }

export class KvCache {
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  /** Positions cached per row (the same in every layer once a forward has gone through all layers). */
  readonly length: Int32Array;

  constructor(readonly shape: CacheShape) {
    const { rows, layers, kvHeads, headDim, window } = shape;
    const size = rows * kvHeads * window * headDim;
    this.keys = Array.from({ length: layers }, () => new Float32Array(size));
    this.values = Array.from({ length: layers }, () => new Float32Array(size));
    this.length = new Int32Array(rows);
  }

  /** Copies k and v of token `i` of the model's new keys and values to `row` at position `pos` of its window. */
  write(layer: number, row: number, pos: number, k: HeadRows, v: HeadRows, i: number): void {
    const { kvHeads: H, headDim: hd, window: W } = this.shape;
    const K = this.keys[layer];
    const V = this.values[layer];
    for (let h = 0; h < H; h++) {
      const dst = ((row * H + h) * W + pos) * hd;
      const ks = i * k.stride + k.offset + h * hd;
      const vs = i * v.stride + v.offset + h * hd;
      for (let d = 0; d < hd; d++) {
        K[dst + d] = k.data[ks + d];
        V[dst + d] = v.data[vs + d];
      }
    }
  }

  /**
   * Causal attention of one new query per row (token i of `q`) over that row's cached positions [0, pos],
   * returned as heads-concatenated [n, heads·headDim] rows. The new tokens' k and v must already be written at
   * `pos`. Softmax in float64 with the max subtracted, as tf.softmax does in float32.
   */
  attend(layer: number, rows: readonly number[], positions: readonly number[], qRows: HeadRows): Float32Array {
    const { heads: H, kvHeads: Hkv, headDim: hd, window: W } = this.shape;
    const D = H * hd;
    const K = this.keys[layer];
    const V = this.values[layer];
    const scale = 1 / Math.sqrt(hd);
    const p = new Float64Array(W);
    const out = new Float32Array(rows.length * D);
    const qd = qRows.data;
    rows.forEach((row, i) => {
      const n = positions[i] + 1;
      for (let h = 0; h < H; h++) {
        const q = i * qRows.stride + qRows.offset + h * hd;
        const base = (row * Hkv + Math.floor(h / (H / Hkv))) * W * hd;
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          let s = 0;
          const k = base + j * hd;
          for (let d = 0; d < hd; d++) s += qd[q + d] * K[k + d];
          p[j] = s * scale;
          if (p[j] > max) max = p[j];
        }
        let sum = 0;
        for (let j = 0; j < n; j++) sum += (p[j] = Math.exp(p[j] - max));
        const o = i * D + h * hd;
        for (let d = 0; d < hd; d++) out[o + d] = 0;
        for (let j = 0; j < n; j++) {
          const w = p[j] / sum;
          const v = base + j * hd;
          for (let d = 0; d < hd; d++) out[o + d] += w * V[v + d];
        }
      }
    });
    return out;
  }
}
