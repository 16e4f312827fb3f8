// The KV cache of a generation session and the attention of new tokens over it.
// Keys and values live in plain Float32Arrays, one [rows, heads, window, headDim] block per layer, not in
// tensors: a new token's attention is a matrix-vector product per (row, head) over at most `window` cached
// positions (a few thousand multiply-adds), where a TensorFlow.js op costs tens of microseconds just to
// dispatch on wasm, so the loops below run faster in JS than hundreds of tiny matMuls would. The big
// products (projections, MLP, logits) stay 2-D tfjs matMuls in generation.ts.

export interface CacheShape { rows: number; layers: number; heads: number; headDim: number; window: number }

export class KvCache {
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  /** Positions cached per row (the same in every layer once a forward has gone through all layers). */
  readonly length: Int32Array;

  constructor(readonly shape: CacheShape) {
    const { rows, layers, heads, headDim, window } = shape;
    const size = rows * heads * window * headDim;
    this.keys = Array.from({ length: layers }, () => new Float32Array(size));
    this.values = Array.from({ length: layers }, () => new Float32Array(size));
    this.length = new Int32Array(rows);
  }

  /**
   * Copies k and v of `row` at position `pos` of its window out of a fused qkv row (columns q | k | v,
   * heads contiguous in each, as the model's c_attn produces them).
   */
  write(layer: number, row: number, pos: number, qkv: Float32Array, at: number): void {
    const { heads: H, headDim: hd, window: W } = this.shape;
    const D = H * hd;
    const K = this.keys[layer];
    const V = this.values[layer];
    for (let h = 0; h < H; h++) {
      const dst = ((row * H + h) * W + pos) * hd;
      const src = at + h * hd;
      for (let d = 0; d < hd; d++) {
        K[dst + d] = qkv[src + D + d];
        V[dst + d] = qkv[src + 2 * D + d];
      }
    }
  }

  /**
   * Causal attention of one new query per row over that row's cached positions [0, pos], written as
   * heads-concatenated [n, D] rows into `out`. `qkv` holds the n new tokens' fused projections, whose k and v
   * must already be written at `pos`. Softmax in float64 with the max subtracted, as tf.softmax does in float32.
   */
  attend(layer: number, rows: readonly number[], positions: readonly number[], qkv: Float32Array, out: Float32Array): void {
    const { heads: H, headDim: hd, window: W } = this.shape;
    const D = H * hd;
    const K = this.keys[layer];
    const V = this.values[layer];
    const scale = 1 / Math.sqrt(hd);
    const p = new Float64Array(W);
    rows.forEach((row, i) => {
      const n = positions[i] + 1;
      for (let h = 0; h < H; h++) {
        const q = i * 3 * D + h * hd;
        const base = (row * H + h) * W * hd;
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          let s = 0;
          const k = base + j * hd;
          for (let d = 0; d < hd; d++) s += qkv[q + d] * K[k + d];
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
  }
}
