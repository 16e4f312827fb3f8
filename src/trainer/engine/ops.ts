// The model's building blocks, each a forward that keeps what its backward needs and a hand-written
// backward. Hand-written rather than tfjs autodiff because on the wasm backend only a plain 2-D,
// non-transposed matMul is fast (transposed or batched matMul is 10-50x slower): every product below,
// forward and backward, is that shape, with explicit transposes where the maths has a transpose.
// The caller owns tensor lifetimes (everything runs inside one tf.tidy per micro-batch).
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';

/**
 * Splits a contiguous buffer into `n` 2-D tensors of [rows, cols]. tf.unstack on wasm copies the whole
 * input once per output (its Slice kernel reads all of x each time): 20× slower than one read and
 * one write per piece.
 */
export function split2d(tf: Tf, data: Float32Array, rows: number, cols: number): Tensor2D[] {
  const size = rows * cols;
  const out: Tensor2D[] = [];
  for (let i = 0; i < data.length / size; i++) out.push(tf.tensor2d(data.subarray(i * size, (i + 1) * size), [rows, cols]));
  return out;
}

/** Each [rows, cols] block of `data` transposed, as 2-D tensors [cols, rows]. */
function splitTransposed(tf: Tf, data: Float32Array, rows: number, cols: number): Tensor2D[] {
  const size = rows * cols;
  const out: Tensor2D[] = [];
  const t = new Float32Array(size);
  for (let b = 0; b < data.length / size; b++) {
    const base = b * size;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = data[base + r * cols + c];
    out.push(tf.tensor2d(t, [cols, rows]));
  }
  return out;
}

/**
 * Head h of batch row b from a row-major [B·T, width] buffer, columns [offset + h·hd, offset + (h+1)·hd),
 * as [T, hd] (or [hd, T] when `transposed`). Gathering in JS replaces 4-D/5-D tf.transposes, which take
 * ~500 ns per element on wasm (their generic path), against ~1 ns here.
 */
function gatherHeads(src: Float32Array, s: AttentionShape, width: number, offset: number, transposed: boolean): Float32Array {
  const { batch: B, seq: T, heads: H, headDim: hd } = s;
  const out = new Float32Array(B * H * T * hd);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const o = (b * H + h) * T * hd;
      for (let t = 0; t < T; t++) {
        const row = (b * T + t) * width + offset + h * hd;
        if (transposed) for (let d = 0; d < hd; d++) out[o + d * T + t] = src[row + d];
        else for (let d = 0; d < hd; d++) out[o + t * hd + d] = src[row + d];
      }
    }
  }
  return out;
}

/** The inverse of gatherHeads (not transposed): per-head [T, hd] results written into columns of [B·T, width]. */
function scatterHeads(heads: Tensor[], dst: Float32Array, s: AttentionShape, width: number, offset: number): void {
  const { seq: T, heads: H, headDim: hd } = s;
  heads.forEach((tensor, i) => {
    const b = Math.floor(i / H);
    const h = i % H;
    const src = tensor.dataSync() as Float32Array;
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * width + offset + h * hd;
      for (let d = 0; d < hd; d++) dst[row + d] = src[t * hd + d];
    }
  });
}

/**
 * Column sums of x [N, C] as ones[1, N] @ x: a plain matMul, where tf.sum over axis 0 transposes first
 * and is several times slower on wasm.
 */
export function sumRows(tf: Tf, x: Tensor2D): Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]) as Tensor1D;
}

export interface LayerNormCache { xhat: Tensor2D; rstd: Tensor2D }

export function layerNorm(tf: Tf, x: Tensor2D, g: Tensor1D, b: Tensor1D, eps: number): { y: Tensor2D; cache: LayerNormCache } {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps)) as Tensor2D;
  const xhat = tf.mul(xc, rstd) as Tensor2D;
  return { y: tf.add(tf.mul(xhat, g), b) as Tensor2D, cache: { xhat, rstd } };
}

export function layerNormBackward(tf: Tf, dy: Tensor2D, cache: LayerNormCache, g: Tensor1D): { dx: Tensor2D; dg: Tensor1D; db: Tensor1D } {
  const { xhat, rstd } = cache;
  const dg = sumRows(tf, tf.mul(dy, xhat) as Tensor2D);
  const db = sumRows(tf, dy);
  const dxhat = tf.mul(dy, g);
  const m1 = tf.mean(dxhat, -1, true);
  const m2 = tf.mean(tf.mul(dxhat, xhat), -1, true);
  const dx = tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(xhat, m2)), rstd) as Tensor2D;
  return { dx, dg, db };
}

/** y = x @ W + b with W as [in, out] (HF Conv1D layout). */
export function linear(tf: Tf, x: Tensor2D, w: Tensor2D, b: Tensor1D): Tensor2D {
  return tf.add(tf.matMul(x, w), b) as Tensor2D;
}

/** `wT` is W transposed ([out, in]), uploaded once per weight update rather than transposed per call. */
export function linearBackward(tf: Tf, x: Tensor2D, dy: Tensor2D, wT: Tensor2D): { dx: Tensor2D; dw: Tensor2D; db: Tensor1D } {
  return {
    dx: tf.matMul(dy, wT),
    dw: tf.matMul(tf.transpose(x), dy),
    db: sumRows(tf, dy),
  };
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's gelu_new, PyTorch's approximate='tanh'). */
export function gelu(tf: Tf, x: Tensor2D): { y: Tensor2D; cache: { x: Tensor2D; t: Tensor2D } } {
  const t = tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), GELU_C)) as Tensor2D;
  return { y: tf.mul(tf.mul(x, 0.5), tf.add(t, 1)) as Tensor2D, cache: { x, t } };
}

export function geluBackward(tf: Tf, dy: Tensor2D, cache: { x: Tensor2D; t: Tensor2D }): Tensor2D {
  const { x, t } = cache;
  // d/dx 0.5x(1+t) = 0.5(1+t) + 0.5x(1-t²)·c(1 + 3·0.044715x²)
  const du = tf.mul(tf.add(tf.mul(tf.square(x), 3 * 0.044715), 1), GELU_C);
  const dt = tf.mul(tf.mul(tf.sub(1, tf.square(t)), du), tf.mul(x, 0.5));
  return tf.mul(dy, tf.add(tf.mul(tf.add(t, 1), 0.5), dt)) as Tensor2D;
}

export interface AttentionShape { batch: number; seq: number; heads: number; headDim: number }

export interface AttentionCache {
  q: Tensor2D[]; // one [T, hd] per (batch, head), unscaled
  k: Tensor2D[];
  vT: Tensor2D[]; // [hd, T]
  p: Tensor; // softmax probabilities [B*H, T, T]
  pData: Float32Array;
}

/**
 * Causal multi-head self-attention from the fused projection qkv [N, 3D] (columns q | k | v, heads
 * contiguous inside each, as in HF GPT-2). `mask` is additive [B or 1, 1, T, T]: 0 where a query may
 * attend, a large negative number elsewhere (future positions, other packed segments).
 * Products run per (batch, head) as 2-D matMuls: batched matMul is the slow path on wasm.
 */
export function attention(tf: Tf, qkv: Tensor2D, mask: Tensor, s: AttentionShape): { y: Tensor2D; cache: AttentionCache } {
  const { batch: B, seq: T, heads: H, headDim: hd } = s;
  const D = H * hd;
  const src = qkv.dataSync() as Float32Array;
  const q = split2d(tf, gatherHeads(src, s, 3 * D, 0, false), T, hd);
  const k = split2d(tf, gatherHeads(src, s, 3 * D, D, false), T, hd);
  const kT = split2d(tf, gatherHeads(src, s, 3 * D, D, true), hd, T);
  const v = split2d(tf, gatherHeads(src, s, 3 * D, 2 * D, false), T, hd);
  const vT = split2d(tf, gatherHeads(src, s, 3 * D, 2 * D, true), hd, T);
  const scores = tf.mul(tf.stack(q.map((qi, i) => tf.matMul(qi, kT[i]))), 1 / Math.sqrt(hd));
  const p = tf.reshape(tf.softmax(tf.add(tf.reshape(scores, [B, H, T, T]), mask)), [B * H, T, T]);
  const pData = p.dataSync() as Float32Array;
  const pl = split2d(tf, pData, T, T);
  const y = new Float32Array(B * T * D);
  scatterHeads(pl.map((pi, i) => tf.matMul(pi, v[i])), y, s, D, 0);
  return { y: tf.tensor2d(y, [B * T, D]), cache: { q, k, vT, p, pData } };
}

export function attentionBackward(tf: Tf, dy: Tensor2D, c: AttentionCache, s: AttentionShape): Tensor2D {
  const { batch: B, seq: T, heads: H, headDim: hd } = s;
  const D = H * hd;
  const dO = split2d(tf, gatherHeads(dy.dataSync() as Float32Array, s, D, 0, false), T, hd);
  const pT = splitTransposed(tf, c.pData, T, T);
  const dP = tf.stack(dO.map((d, i) => tf.matMul(d, c.vT[i])));
  const dv = dO.map((d, i) => tf.matMul(pT[i], d));
  // Softmax backward, with the 1/√hd of the scores folded in; masked entries have p = 0: no gradient.
  const dS = tf.mul(tf.mul(c.p, tf.sub(dP, tf.sum(tf.mul(dP, c.p), -1, true))), 1 / Math.sqrt(hd));
  const dSData = dS.dataSync() as Float32Array;
  const dSl = split2d(tf, dSData, T, T);
  const dST = splitTransposed(tf, dSData, T, T);
  const out = new Float32Array(B * T * 3 * D);
  scatterHeads(dSl.map((d, i) => tf.matMul(d, c.k[i])), out, s, 3 * D, 0);
  scatterHeads(dST.map((d, i) => tf.matMul(d, c.q[i])), out, s, 3 * D, D);
  scatterHeads(dv, out, s, 3 * D, 2 * D);
  return tf.tensor2d(out, [B * T, 3 * D]);
}

/**
 * Weighted cross-entropy from logits [N, V]: returns the summed loss Σ wᵢ·nllᵢ, the weighted loss of each position
 * (wᵢ·nllᵢ), and d(sum)/dlogits. Rows with weight 0 contribute nothing, to the loss or the gradient. Weights may be
 * negative: descending the sum then pushes that token's probability down (DPO's rejected responses).
 */
export function crossEntropy(tf: Tf, logits: Tensor2D, targets: Tensor1D, weights: Tensor1D): { lossSum: Tensor; weighted: Tensor1D; dlogits: Tensor2D } {
  const V = logits.shape[1];
  const shifted = tf.sub(logits, tf.max(logits, -1, true));
  const logp = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
  // Cast rather than oneHot(..., 'float32'): the wasm kernel returns all zeros for a float dtype.
  const onehot = tf.cast(tf.oneHot(targets, V), 'float32');
  const nll = tf.neg(tf.sum(tf.mul(logp, onehot), -1));
  const weighted = tf.mul(nll, weights) as Tensor1D;
  const lossSum = tf.sum(weighted);
  const dlogits = tf.mul(tf.sub(tf.exp(logp), onehot), tf.reshape(weights, [-1, 1])) as Tensor2D;
  return { lossSum, weighted, dlogits };
}
