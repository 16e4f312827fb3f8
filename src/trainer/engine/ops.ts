// The model's building blocks, each a forward that keeps what its backward needs and a hand-written
// backward. Hand-written rather than tfjs autodiff because on the wasm backend only a plain 2-D,
// non-transposed matMul is fast (transposed or batched matMul is 10-50x slower): every product below,
// forward and backward, is that shape, with explicit transposes where the maths has a transpose.
// The caller owns tensor lifetimes (each layer's forward and backward runs in its own tf.tidy).
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';

interface WasmBackendLike {
  wasm?: { HEAPU8: Uint8Array };
  dataIdMap?: { get(id: object): { memoryOffset: number } | undefined };
}

/**
 * The float32 values of `t`, without a copy on wasm (a view of its heap: reading gradients this way is ~10×
 * faster than dataSync's copy). Valid only until the next TensorFlow.js call, which may grow (move) the
 * heap; read it at once. Other backends: dataSync().
 */
/** Runs `fn` inside a tf.tidy that keeps the tensors `keep` picks from its result and frees every other one. */
export function tidyKeeping<T>(tf: Tf, fn: () => T, keep: (result: T) => Tensor[]): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = fn();
    for (const t of keep(result)) tf.keep(t);
  });
  return result!;
}

export function peek(tf: Tf, t: Tensor): Float32Array {
  const b = tf.backend() as unknown as WasmBackendLike;
  const data = b.wasm && b.dataIdMap?.get(t.dataId);
  if (data) return new Float32Array(b.wasm!.HEAPU8.buffer, data.memoryOffset, t.size);
  return t.dataSync() as Float32Array;
}

/** Whether peek(t) is the tensor's own storage, so writing through it changes the tensor. */
function peekIsStorage(tf: Tf): boolean {
  const b = tf.backend() as unknown as WasmBackendLike;
  return Boolean(b.wasm && b.dataIdMap);
}

export function addInto(dst: Float32Array, src: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] += src[i];
}

/** dst [cols, rows] += srcᵀ for src [rows, cols]. */
export function addTransposedInto(dst: Float32Array, src: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] += src[o + c];
  }
}

/** dst[c] += Σ_r x[r, c]: in JS, because as a matMul (ones @ x) XNNPACK repacks all of x for one output row. */
function addColumnSums(dst: Float32Array, x: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) dst[c] += x[o + c];
  }
}

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
export function splitTransposed(tf: Tf, data: Float32Array, rows: number, cols: number): Tensor2D[] {
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
export function gatherHeads(src: Float32Array, s: AttentionShape, width: number, offset: number, transposed: boolean): Float32Array {
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
export function scatterHeads(tf: Tf, heads: Tensor[], dst: Float32Array, s: AttentionShape, width: number, offset: number): void {
  const { seq: T, heads: H, headDim: hd } = s;
  heads.forEach((tensor, i) => {
    const b = Math.floor(i / H);
    const h = i % H;
    const src = peek(tf, tensor);
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
  const dg = new Float32Array(g.size);
  const db = new Float32Array(g.size);
  const dx = layerNormBackwardInto(tf, dy, cache, g, dg, db);
  return { dx, dg: tf.tensor1d(dg), db: tf.tensor1d(db) };
}

/** As layerNormBackward, with dg and db added into the given arrays (the training path: no tensors for them). */
export function layerNormBackwardInto(tf: Tf, dy: Tensor2D, cache: LayerNormCache, g: Tensor1D, dg: Float32Array, db: Float32Array): Tensor2D {
  const { xhat, rstd } = cache;
  const [N, C] = dy.shape;
  const dyv = peek(tf, dy);
  const xv = peek(tf, xhat);
  for (let r = 0; r < N; r++) {
    const o = r * C;
    for (let c = 0; c < C; c++) {
      dg[c] += dyv[o + c] * xv[o + c];
      db[c] += dyv[o + c];
    }
  }
  const dxhat = tf.mul(dy, g);
  const m1 = tf.mean(dxhat, -1, true);
  const m2 = tf.mean(tf.mul(dxhat, xhat), -1, true);
  return tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(xhat, m2)), rstd) as Tensor2D;
}

/**
 * y = x @ W + b with W as [in, out] (HF Conv1D layout). The bias goes into the product (XNNPACK adds it in
 * the GEMM itself on wasm): a separate broadcast add over [N, out] is one of wasm's slow generic kernels.
 */
export function linear(tf: Tf, x: Tensor2D, w: Tensor2D, b: Tensor1D): Tensor2D {
  return tf.fused.matMul({ a: x, b: w, bias: b }) as Tensor2D;
}

/** `wT` is W transposed ([out, in]), uploaded once per weight update rather than transposed per call. */
export function linearBackward(tf: Tf, x: Tensor2D, dy: Tensor2D, wT: Tensor2D): { dx: Tensor2D; dw: Tensor2D; db: Tensor1D } {
  const [inDim, outDim] = [x.shape[1], dy.shape[1]];
  const dw = new Float32Array(inDim * outDim);
  const db = new Float32Array(outDim);
  const dx = linearBackwardInto(tf, x, dy, wT, dw, db);
  return { dx, dw: tf.tensor2d(dw, [inDim, outDim]), db: tf.tensor1d(db) };
}

/**
 * As linearBackward, with dW ([in, out]) and db added into the given arrays. dW = xᵀ·dy contracts over the
 * N rows, so both operands are fresh N-row matrices, and XNNPACK repacks the right-hand one on every call
 * (~4× the cost of a transpose per element): the narrower of x and dy goes on the right.
 */
export function linearBackwardInto(tf: Tf, x: Tensor2D, dy: Tensor2D, wT: Tensor2D, dw: Float32Array, db: Float32Array): Tensor2D {
  const [N, inDim] = x.shape;
  const outDim = dy.shape[1];
  const t = outDim > inDim ? tf.transpose(dy) : tf.transpose(x);
  const prod = outDim > inDim ? tf.matMul(t, x) : tf.matMul(t, dy);
  if (outDim > inDim) addTransposedInto(dw, peek(tf, prod), outDim, inDim);
  else addInto(dw, peek(tf, prod));
  tf.dispose([t, prod]);
  addColumnSums(db, peek(tf, dy), N, outDim);
  return tf.matMul(dy, wT);
}

const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (GPT-2's gelu_new, PyTorch's approximate='tanh'), written as x·σ(2u) with
 * u = c(x + 0.044715x³): the same function (0.5(1 + tanh u) = σ(2u)), but wasm's Sigmoid is XNNPACK's
 * vectorised kernel and its Tanh a scalar libm loop, ~13× slower.
 */
export function gelu(tf: Tf, x: Tensor2D): { y: Tensor2D; cache: { x: Tensor2D; s: Tensor2D } } {
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), 2 * GELU_C * 0.044715), 2 * GELU_C))) as Tensor2D;
  return { y: tf.mul(x, s) as Tensor2D, cache: { x, s } };
}

export function geluBackward(tf: Tf, dy: Tensor2D, cache: { x: Tensor2D; s: Tensor2D }): Tensor2D {
  const { x, s } = cache;
  // d/dx x·σ(z) = σ + x·σ(1−σ)·dz/dx, z = 2c(x + 0.044715x³)
  const dz = tf.add(tf.mul(tf.square(x), 6 * GELU_C * 0.044715), 2 * GELU_C);
  const ds = tf.mul(tf.mul(s, tf.sub(1, s)), tf.mul(x, dz));
  return tf.mul(dy, tf.add(s, ds)) as Tensor2D;
}

export interface AttentionShape { batch: number; seq: number; heads: number; headDim: number }

export interface AttentionCache {
  q: Tensor2D[]; // one [T, hd] per (batch, head), scaled by 1/√hd
  k: Tensor2D[]; // scaled by 1/√hd (it multiplies dS, whose scale is folded in here)
  vT: Tensor2D[]; // [hd, T]
  pData: Float32Array; // softmax probabilities [B*H, T, T]
}

/**
 * Causal multi-head self-attention from the fused projection qkv [N, 3D] (columns q | k | v, heads
 * contiguous inside each, as in HF GPT-2). `mask` is additive [B or 1, 1, T, T]: 0 where a query may
 * attend, a large negative number elsewhere (future positions, other packed segments).
 * Products run per (batch, head) as 2-D matMuls: batched matMul is the slow path on wasm. The mask is
 * added in JS while the heads' scores are gathered into one buffer (one pass, no stack or broadcast kernel).
 */
export function attention(tf: Tf, qkv: Tensor2D, mask: Tensor, s: AttentionShape): { y: Tensor2D; cache: AttentionCache } {
  const { batch: B, seq: T, heads: H, headDim: hd } = s;
  const D = H * hd;
  const scale = 1 / Math.sqrt(hd);
  const src = peek(tf, qkv);
  const qData = gatherHeads(src, s, 3 * D, 0, false);
  const kData = gatherHeads(src, s, 3 * D, D, false);
  const kTData = gatherHeads(src, s, 3 * D, D, true);
  const vData = gatherHeads(src, s, 3 * D, 2 * D, false);
  const vTData = gatherHeads(src, s, 3 * D, 2 * D, true);
  for (let i = 0; i < qData.length; i++) {
    qData[i] *= scale;
    kData[i] *= scale;
  }
  const q = split2d(tf, qData, T, hd);
  const k = split2d(tf, kData, T, hd);
  const kT = split2d(tf, kTData, hd, T);
  const v = split2d(tf, vData, T, hd);
  const vT = split2d(tf, vTData, hd, T);
  const scores = new Float32Array(B * H * T * T);
  const perRowMask = mask.shape[0] !== 1;
  q.forEach((qi, i) => {
    const si = tf.matMul(qi, kT[i]);
    const sv = peek(tf, si);
    const m = peek(tf, mask);
    const mo = perRowMask ? Math.floor(i / H) * T * T : 0;
    const o = i * T * T;
    for (let j = 0; j < T * T; j++) scores[o + j] = sv[j] + m[mo + j];
    si.dispose();
  });
  tf.dispose(kT);
  const sm = tf.softmax(tf.tensor2d(scores, [B * H * T, T]));
  const pData = Float32Array.from(peek(tf, sm));
  const pl = split2d(tf, pData, T, T);
  const y = new Float32Array(B * T * D);
  const heads = pl.map((pi, i) => tf.matMul(pi, v[i]));
  scatterHeads(tf, heads, y, s, D, 0);
  tf.dispose([...pl, ...heads, ...v, sm]);
  return { y: tf.tensor2d(y, [B * T, D]), cache: { q, k, vT, pData } };
}

export function attentionBackward(tf: Tf, dy: Tensor2D, c: AttentionCache, s: AttentionShape): Tensor2D {
  const { batch: B, seq: T, heads: H, headDim: hd } = s;
  const D = H * hd;
  const dO = split2d(tf, gatherHeads(peek(tf, dy), s, D, 0, false), T, hd);
  const pT = splitTransposed(tf, c.pData, T, T);
  const dv = dO.map((d, i) => tf.matMul(pT[i], d));
  // Softmax backward per row, dS = p∘(dP − Σ dP∘p), in JS while reading dP; masked entries have p = 0.
  // The 1/√hd of the scores is in the cached q and k.
  const dS = new Float32Array(B * H * T * T);
  dO.forEach((d, i) => {
    const dPi = tf.matMul(d, c.vT[i]);
    const dP = peek(tf, dPi);
    for (let r = 0; r < T; r++) {
      const o = (i * T + r) * T;
      let sum = 0;
      for (let j = 0; j < T; j++) sum += dP[r * T + j] * c.pData[o + j];
      for (let j = 0; j < T; j++) dS[o + j] = c.pData[o + j] * (dP[r * T + j] - sum);
    }
    dPi.dispose();
  });
  const dSl = split2d(tf, dS, T, T);
  const dST = splitTransposed(tf, dS, T, T);
  const out = new Float32Array(B * T * 3 * D);
  const dq = dSl.map((d, i) => tf.matMul(d, c.k[i]));
  scatterHeads(tf, dq, out, s, 3 * D, 0);
  const dk = dST.map((d, i) => tf.matMul(d, c.q[i]));
  scatterHeads(tf, dk, out, s, 3 * D, D);
  scatterHeads(tf, dv, out, s, 3 * D, 2 * D);
  tf.dispose([...dO, ...pT, ...dv, ...dSl, ...dST, ...dq, ...dk]);
  return tf.tensor2d(out, [B * T, 3 * D]);
}

/**
 * Weighted cross-entropy from logits [N, V]: returns the summed loss Σ wᵢ·nllᵢ, the weighted loss of each position
 * (wᵢ·nllᵢ), and d(sum)/dlogits. Rows with weight 0 contribute nothing, to the loss or the gradient. Weights may be
 * negative: descending the sum then pushes that token's probability down (DPO's rejected responses).
 */
export function crossEntropy(tf: Tf, logits: Tensor2D, targets: Tensor1D, weights: Tensor1D): { lossSum: Tensor; weighted: Tensor1D; dlogits: Tensor2D } {
  const weighted = new Float32Array(targets.size);
  const r = crossEntropyOf(tf, logits, targets.dataSync() as Int32Array, weights.dataSync() as Float32Array, true, weighted);
  return { lossSum: tf.scalar(r.lossSum), weighted: tf.tensor1d(weighted), dlogits: r.dlogits! };
}

/**
 * The training path of crossEntropy, with targets and weights as arrays (a target may be anything where
 * its weight is 0). dlogits = w·(softmax − onehot) is written row by row over the softmax's own storage on
 * wasm: one vectorised Softmax kernel instead of exp/log/oneHot/cast kernels over [N, V] (the int→float Cast
 * alone ran in JS). The loss is −log pₜ, or logsumexp − logitₜ from the logits when pₜ underflows to 0.
 * Weights may be negative (DPO's rejected responses). `perToken`, when given, receives each wᵢ·nllᵢ.
 */
export function crossEntropyOf(
  tf: Tf, logits: Tensor2D, targets: Int32Array, weights: Float32Array, withGrad: boolean, perToken?: Float32Array,
): { lossSum: number; dlogits: Tensor2D | null } {
  const [N, V] = logits.shape;
  const p = tf.softmax(logits) as Tensor2D;
  const inPlace = peekIsStorage(tf);
  const pv = inPlace ? peek(tf, p) : Float32Array.from(peek(tf, p));
  let lossSum = 0;
  for (let i = 0; i < N; i++) {
    const w = weights[i];
    const o = i * V;
    if (w === 0) {
      if (withGrad) pv.fill(0, o, o + V);
      continue;
    }
    const t = targets[i];
    const pt = pv[o + t];
    const loss = w * (pt > 0 ? -Math.log(pt) : nllFromLogits(peek(tf, logits).subarray(o, o + V), t));
    lossSum += loss;
    if (perToken) perToken[i] = loss;
    if (withGrad) {
      for (let j = o; j < o + V; j++) pv[j] *= w;
      pv[o + t] -= w;
    }
  }
  if (!withGrad) {
    p.dispose();
    return { lossSum, dlogits: null };
  }
  if (inPlace) return { lossSum, dlogits: p };
  p.dispose();
  return { lossSum, dlogits: tf.tensor2d(pv, [N, V]) };
}

function nllFromLogits(row: Float32Array, t: number): number {
  let mx = -Infinity;
  for (let j = 0; j < row.length; j++) mx = Math.max(mx, row[j]);
  let s = 0;
  for (let j = 0; j < row.length; j++) s += Math.exp(row[j] - mx);
  return mx + Math.log(s) - row[t];
}
