// The model's building blocks, each a forward that keeps what its backward needs and a hand-written
// backward. Hand-written rather than tfjs autodiff because on the wasm backend only a plain 2-D,
// non-transposed matMul is fast (transposed or batched matMul is 10-50x slower): the products TensorFlow.js
// runs are that shape; attention and weight gradients (xᵀ·dy) run in our WebAssembly kernels (kernels/).
// The caller owns tensor lifetimes (each layer's forward and backward runs in its own tf.tidy).
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import { Kernels, type Columns } from '../kernels/index';
import { matMul } from '../kernels/tfjsMatMul';

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
 * y = x @ W + b with W as [in, out] (HF Conv1D layout). The bias goes into the product (our kernel and XNNPACK add it in
 * the GEMM itself on wasm): a separate broadcast add over [N, out] is one of wasm's slow generic kernels.
 */
export function linear(tf: Tf, x: Tensor2D, w: Tensor2D, b: Tensor1D): Tensor2D {
  return matMul(tf, x, w, b);
}

/** `wT` is W transposed ([out, in]), uploaded once per weight update rather than transposed per call. */
export function linearBackward(tf: Tf, x: Tensor2D, dy: Tensor2D, wT: Tensor2D): { dx: Tensor2D; dw: Tensor2D; db: Tensor1D } {
  const [inDim, outDim] = [x.shape[1], dy.shape[1]];
  const dw = new Float32Array(inDim * outDim);
  const db = new Float32Array(outDim);
  const dx = linearBackwardInto(tf, x, dy, wT, dw, db);
  return { dx, dw: tf.tensor2d(dw, [inDim, outDim]), db: tf.tensor1d(db) };
}

/** As linearBackward, with dW ([in, out]) and db added into the given arrays. */
export function linearBackwardInto(tf: Tf, x: Tensor2D, dy: Tensor2D, wT: Tensor2D, dw: Float32Array, db: Float32Array): Tensor2D {
  const [N, inDim] = x.shape;
  // Read both at once: peek's views are only valid until the next TensorFlow.js call.
  Kernels.get().addTransposedProduct(peek(tf, x), peek(tf, dy), N, inDim, dy.shape[1], dw, db);
  return matMul(tf, dy, wT);
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
  qkv: Float32Array; // the fused projection [B·T, 3D], as the forward read it
  p: Float32Array; // softmax probabilities [B, H, T, T], zero above the diagonal
}

/**
 * Causal multi-head self-attention from the fused projection qkv [N, 3D] (columns q | k | v, heads
 * contiguous inside each, as in HF GPT-2). `mask` is additive [B or 1, 1, T, T]: 0 where a query may
 * attend, a large negative number elsewhere (future positions, other packed segments).
 * The whole layer runs in one WebAssembly kernel (kernels/kernels.c): as tfjs ops it was ~6 small matMuls per
 * (batch, head) plus gathers, transposes and a softmax kernel, a third of a training step.
 */
export function attention(tf: Tf, qkv: Tensor2D, mask: Tensor, s: AttentionShape): { y: Tensor2D; cache: AttentionCache } {
  const D = s.heads * s.headDim;
  const data = Float32Array.from(peek(tf, qkv));
  const cols = fusedColumns(data, D);
  const { y, p } = Kernels.get().attentionForward(cols[0], cols[1], cols[2], peek(tf, mask), mask.shape[0] !== 1, { ...s, kvHeads: s.heads });
  return { y: tf.tensor2d(y, [s.batch * s.seq, D]), cache: { qkv: data, p } };
}

export function attentionBackward(tf: Tf, dy: Tensor2D, c: AttentionCache, s: AttentionShape): Tensor2D {
  const D = s.heads * s.headDim;
  const cols = fusedColumns(c.qkv, D);
  const { dq } = Kernels.get().attentionBackward(cols[0], cols[1], cols[2], c.p, peek(tf, dy), { ...s, kvHeads: s.heads });
  return tf.tensor2d(dq.data, [s.batch * s.seq, 3 * D]);
}

/** q, k and v as the column blocks of GPT-2's fused projection [N, 3D]. */
function fusedColumns(data: Float32Array, D: number): [Columns, Columns, Columns] {
  return [0, D, 2 * D].map((offset) => ({ data, stride: 3 * D, offset })) as [Columns, Columns, Columns];
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
