// The Llama family's building blocks beside ops.ts, each a forward that keeps what its backward needs and a
// hand-written backward, under the same rule: every product is a plain 2-D non-transposed matMul (the fast
// path on wasm), with explicit transposes where the maths has one. RoPE is applied in JS while the heads are
// gathered for attention anyway: a rotation of pairs, cheaper there than as a dozen tensor ops.
// Each op frees its own temporaries (a tf.tidy around its body) and returns only its results and what its backward
// reads: the caller keeps a layer's caches alive until that layer's backward, and the wasm heap never shrinks.
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import type { LlamaConfig } from './types';
import { gatherHeads, scatterHeads, split2d, splitTransposed, sumRows } from './ops';

export interface RmsNormCache { xhat: Tensor2D; rstd: Tensor2D }

/** RMSNorm: x / √(mean(x²) + eps) · g (HF LlamaRMSNorm, in float32). */
export function rmsNorm(tf: Tf, x: Tensor2D, g: Tensor1D, eps: number): { y: Tensor2D; cache: RmsNormCache } {
  return tf.tidy(() => {
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)) as Tensor2D;
    const xhat = tf.mul(x, rstd) as Tensor2D;
    return { y: tf.mul(xhat, g) as Tensor2D, cache: { xhat, rstd } };
  });
}

export function rmsNormBackward(tf: Tf, dy: Tensor2D, cache: RmsNormCache, g: Tensor1D): { dx: Tensor2D; dg: Tensor1D } {
  return tf.tidy(() => {
    const { xhat, rstd } = cache;
    const dg = sumRows(tf, tf.mul(dy, xhat) as Tensor2D);
    const dxhat = tf.mul(dy, g);
    const dx = tf.mul(tf.sub(dxhat, tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true))), rstd) as Tensor2D;
    return { dx, dg };
  });
}

/** y = x @ Wᵀ (+ b) for an HF nn.Linear weight W [out, in]; `wT` [in, out] is uploaded once per weight update. */
export function dense(tf: Tf, x: Tensor2D, wT: Tensor2D, b?: Tensor1D): Tensor2D {
  const y: Tensor2D = tf.matMul(x, wT);
  return b ? tf.add(y, b) as Tensor2D : y;
}

/** Gradients of `dense`, dW already in the [out, in] layout: dx = dy @ W, dW = dyᵀ @ x. */
export function denseBackward(tf: Tf, x: Tensor2D, dy: Tensor2D, w: Tensor2D): { dx: Tensor2D; dw: Tensor2D } {
  return tf.tidy(() => ({ dx: tf.matMul(dy, w), dw: tf.matMul(tf.transpose(dy) as Tensor2D, x) }));
}

export interface SwigluCache { gate: Tensor2D; up: Tensor2D; sig: Tensor2D }

/** The SwiGLU gating of Llama's MLP: silu(gate) · up, silu(x) = x · σ(x). */
export function swiglu(tf: Tf, gate: Tensor2D, up: Tensor2D): { y: Tensor2D; cache: SwigluCache } {
  return tf.tidy(() => {
    const sig = tf.sigmoid(gate) as Tensor2D;
    return { y: tf.mul(tf.mul(gate, sig), up) as Tensor2D, cache: { gate, up, sig } };
  });
}

export function swigluBackward(tf: Tf, dy: Tensor2D, c: SwigluCache): { dgate: Tensor2D; dup: Tensor2D } {
  return tf.tidy(() => {
    const dup = tf.mul(dy, tf.mul(c.gate, c.sig)) as Tensor2D;
    // silu'(x) = σ(x) · (1 + x · (1 − σ(x)))
    const dsilu = tf.mul(c.sig, tf.add(1, tf.mul(c.gate, tf.sub(1, c.sig))));
    return { dgate: tf.mul(tf.mul(dy, c.up), dsilu) as Tensor2D, dup };
  });
}

/**
 * RoPE inverse frequencies θ^(−2i/d), i < d/2, with `rope_scaling` applied as transformers does
 * (_compute_default_rope_parameters, _compute_linear_scaling_rope_parameters, _compute_llama3_parameters),
 * rounded to float32 as HF holds them.
 */
export function ropeInverseFrequencies(c: Pick<LlamaConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): Float64Array {
  const half = c.headDim / 2;
  const inv = Float64Array.from({ length: half }, (_, i) => 1 / c.ropeTheta ** (Math.fround((2 * i) / c.headDim)));
  const s = c.ropeScaling;
  if (s?.type === 'linear') for (let i = 0; i < half; i++) inv[i] /= s.factor;
  if (s?.type === 'llama3') {
    const lowFreqWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
    const highFreqWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
    for (let i = 0; i < half; i++) {
      const wavelen = (2 * Math.PI) / inv[i];
      // Long wavelengths are slowed down by `factor`, short ones kept, the band between interpolated.
      if (wavelen > lowFreqWavelen) inv[i] /= s.factor;
      else if (wavelen >= highFreqWavelen) {
        const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
        inv[i] = (1 - smooth) * (inv[i] / s.factor) + smooth * inv[i];
      }
    }
  }
  return inv.map(Math.fround);
}

/** cos and sin of position · frequency, [positions, headDim / 2], grown on demand. */
export class RopeTable {
  private cos = new Float32Array(0);
  private sin = new Float32Array(0);
  private positions = 0;

  constructor(private readonly inv: Float64Array) {}

  /** Rotates the heads of every row in place by its position (`inverse`: by minus it, the backward). */
  apply(rows: { data: Float32Array; stride: number; offset: number }, heads: number, positions: ArrayLike<number>, inverse = false): void {
    const half = this.inv.length;
    let max = 0;
    for (let i = 0; i < positions.length; i++) max = Math.max(max, positions[i]);
    this.grow(max + 1);
    const { data, stride, offset } = rows;
    const sign = inverse ? -1 : 1;
    for (let r = 0; r < positions.length; r++) {
      const t = positions[r] * half;
      for (let h = 0; h < heads; h++) {
        const o = r * stride + offset + h * 2 * half;
        // HF rotate_half pairs element i with i + d/2: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin).
        for (let i = 0; i < half; i++) {
          const cos = this.cos[t + i];
          const sin = sign * this.sin[t + i];
          const x1 = data[o + i];
          const x2 = data[o + half + i];
          data[o + i] = x1 * cos - x2 * sin;
          data[o + half + i] = x2 * cos + x1 * sin;
        }
      }
    }
  }

  private grow(n: number): void {
    if (n <= this.positions) return;
    const half = this.inv.length;
    const size = Math.max(n, 2 * this.positions);
    this.cos = new Float32Array(size * half);
    this.sin = new Float32Array(size * half);
    for (let p = 0; p < size; p++) {
      for (let i = 0; i < half; i++) {
        // The angle in float32 as HF computes it (inv_freq @ position_ids), then cos/sin of that.
        const angle = Math.fround(p * this.inv[i]);
        this.cos[p * half + i] = Math.cos(angle);
        this.sin[p * half + i] = Math.sin(angle);
      }
    }
    this.positions = size;
  }
}

export interface GqaShape { batch: number; seq: number; heads: number; kvHeads: number; headDim: number }

export interface GqaCache {
  q: Tensor2D[]; // one [T, hd] per (batch, head), after RoPE
  k: Tensor2D[]; // one [T, hd] per (batch, kv head), after RoPE
  vT: Tensor2D[]; // [hd, T] per (batch, kv head)
  pData: Float32Array; // softmax probabilities [B*H, T, T], in JS: a tensor of them lives only in the backward
}

/** Index of the (batch, kv head) that (batch, head) `i` reads: heads share kv heads in contiguous groups (HF repeat_kv). */
function kvIndex(i: number, s: GqaShape): number {
  const b = Math.floor(i / s.heads);
  return b * s.kvHeads + Math.floor((i % s.heads) / (s.heads / s.kvHeads));
}

/** tf.stack of per-head [T, T] products, which are freed at once: the stack is a copy. */
function stacked(tf: Tf, parts: Tensor2D[]): Tensor {
  const out = tf.stack(parts);
  tf.dispose(parts);
  return out;
}

/**
 * Causal grouped-query attention from q [N, H·hd] and k, v [N, Hkv·hd] (N = batch·seq, RoPE already applied,
 * heads contiguous as HF's view(…, heads, head_dim)). `mask` is additive [B or 1, 1, T, T] as in ops.attention.
 * Products per (batch, head) as 2-D matMuls; kv heads are shared by reference, never repeated in memory.
 */
export function groupedAttention(tf: Tf, q: Float32Array, k: Float32Array, v: Float32Array, mask: Tensor, s: GqaShape): { y: Tensor2D; cache: GqaCache } {
  const { batch: B, seq: T, heads: H, kvHeads: Hkv, headDim: hd } = s;
  const qs = { batch: B, seq: T, heads: H, headDim: hd };
  const ks = { batch: B, seq: T, heads: Hkv, headDim: hd };
  const qh = split2d(tf, gatherHeads(q, qs, H * hd, 0, false), T, hd);
  const kh = split2d(tf, gatherHeads(k, ks, Hkv * hd, 0, false), T, hd);
  const vT = split2d(tf, gatherHeads(v, ks, Hkv * hd, 0, true), hd, T);
  // The scores and probabilities, [B·H, T, T] each, are freed here; the backward reads the probabilities in JS.
  const pData = tf.tidy(() => {
    const kT = split2d(tf, gatherHeads(k, ks, Hkv * hd, 0, true), hd, T);
    const scores = tf.mul(stacked(tf, qh.map((qi, i) => tf.matMul(qi, kT[kvIndex(i, s)]))), 1 / Math.sqrt(hd));
    const p = tf.reshape(tf.softmax(tf.add(tf.reshape(scores, [B, H, T, T]), mask)), [B * H, T, T]);
    return p.dataSync() as Float32Array;
  });
  const y = new Float32Array(B * T * H * hd);
  tf.tidy(() => {
    const vh = split2d(tf, gatherHeads(v, ks, Hkv * hd, 0, false), T, hd);
    const pl = split2d(tf, pData, T, T);
    scatterHeads(tf, pl.map((pi, i) => tf.matMul(pi, vh[kvIndex(i, s)])), y, qs, H * hd, 0);
  });
  return { y: tf.tensor2d(y, [B * T, H * hd]), cache: { q: qh, k: kh, vT, pData } };
}

/**
 * Gradients of groupedAttention as row-major arrays dq [N, H·hd], dk and dv [N, Hkv·hd] (RoPE not undone). Each
 * of dS, dq, dk and dv is made in its own tf.tidy: at most one group of [B·H, T, T] tensors is alive at a time.
 */
export function groupedAttentionBackward(tf: Tf, dy: Tensor2D, c: GqaCache, s: GqaShape): { dq: Float32Array; dk: Float32Array; dv: Float32Array } {
  const { batch: B, seq: T, heads: H, kvHeads: Hkv, headDim: hd } = s;
  const qs = { batch: B, seq: T, heads: H, headDim: hd };
  const ks = { batch: B, seq: T, heads: Hkv, headDim: hd };
  const dq = new Float32Array(B * T * H * hd);
  const dk = new Float32Array(B * T * Hkv * hd);
  const dv = new Float32Array(B * T * Hkv * hd);
  // A kv head's gradient is the sum over the query heads of its group.
  const perKv = (f: (i: number) => Tensor2D): Tensor2D[] => Array.from({ length: B * Hkv }, (_, j) => {
    const group = H / Hkv;
    const b = Math.floor(j / Hkv);
    const first = b * H + (j % Hkv) * group;
    const parts = Array.from({ length: group }, (_, g) => f(first + g));
    return parts.length === 1 ? parts[0] : tf.addN(parts) as Tensor2D;
  });
  tf.tidy(() => {
    const dO = split2d(tf, gatherHeads(dy.dataSync() as Float32Array, qs, H * hd, 0, false), T, hd);
    const dSData = tf.tidy(() => {
      const dP = stacked(tf, dO.map((d, i) => tf.matMul(d, c.vT[kvIndex(i, s)])));
      const p = tf.tensor3d(c.pData, [B * H, T, T]);
      // Softmax backward, with the 1/√hd of the scores folded in; masked entries have p = 0: no gradient.
      return tf.mul(tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true))), 1 / Math.sqrt(hd)).dataSync() as Float32Array;
    });
    tf.tidy(() => {
      const dSl = split2d(tf, dSData, T, T);
      scatterHeads(tf, dSl.map((d, i) => tf.matMul(d, c.k[kvIndex(i, s)])), dq, qs, H * hd, 0);
    });
    tf.tidy(() => {
      const dST = splitTransposed(tf, dSData, T, T);
      scatterHeads(tf, perKv((i) => tf.matMul(dST[i], c.q[i])), dk, ks, Hkv * hd, 0);
    });
    tf.tidy(() => {
      const pT = splitTransposed(tf, c.pData, T, T);
      scatterHeads(tf, perKv((i) => tf.matMul(pT[i], dO[i])), dv, ks, Hkv * hd, 0);
    });
  });
  return { dq, dk, dv };
}
