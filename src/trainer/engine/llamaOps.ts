// The Llama family's building blocks beside ops.ts, each a forward that keeps what its backward needs and a
// hand-written backward, under the same rule: TensorFlow.js runs only plain 2-D non-transposed matMuls (the fast
// path on wasm); attention and weight gradients run in the WebAssembly kernels (kernels/). RoPE is applied in JS,
// a rotation of pairs, cheaper there than as a dozen tensor ops.
// Each op frees its own temporaries (a tf.tidy around its body) and returns only its results and what its backward
// reads: the caller keeps a layer's caches alive until that layer's backward, and the wasm heap never shrinks.
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import type { LlamaConfig } from './types';
import { peek, sumRows } from './ops';
import { Kernels, type Columns } from '../kernels/index';
import { matMul } from '../kernels/tfjsMatMul';

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
  return matMul(tf, x, wT, b);
}

/** Gradients of `dense`: dx = dy @ W returned, dW = dyᵀ @ x ([out, in], HF's layout) added into `dw`. */
export function denseBackwardInto(tf: Tf, x: Tensor2D, dy: Tensor2D, w: Tensor2D, dw: Float32Array): Tensor2D {
  // Read both at once: peek's views are only valid until the next TensorFlow.js call.
  Kernels.get().addTransposedProduct(peek(tf, dy), peek(tf, x), x.shape[0], dy.shape[1], x.shape[1], dw);
  return matMul(tf, dy, w);
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
  q: Columns; // [N, H·hd], after RoPE
  k: Columns; // [N, Hkv·hd], after RoPE
  v: Columns;
  p: Float32Array; // softmax probabilities [B, H, T, T], zero above the diagonal
}

/**
 * Causal grouped-query attention from q [N, H·hd] and k, v [N, Hkv·hd] (N = batch·seq, RoPE already applied,
 * heads contiguous as HF's view(…, heads, head_dim)). `mask` is additive [B or 1, 1, T, T] as in ops.attention.
 * One WebAssembly kernel for the whole layer (as ops.attention); kv heads are shared, never repeated in memory.
 * The arrays become the cache: the caller must not change them afterwards.
 */
export function groupedAttention(tf: Tf, q: Float32Array, k: Float32Array, v: Float32Array, mask: Tensor, s: GqaShape): { y: Tensor2D; cache: GqaCache } {
  const { batch: B, seq: T, heads: H, kvHeads: Hkv, headDim: hd } = s;
  const cols = { q: { data: q, stride: H * hd, offset: 0 }, k: { data: k, stride: Hkv * hd, offset: 0 }, v: { data: v, stride: Hkv * hd, offset: 0 } };
  const { y, p } = Kernels.get().attentionForward(cols.q, cols.k, cols.v, peek(tf, mask), mask.shape[0] !== 1, s);
  return { y: tf.tensor2d(y, [B * T, H * hd]), cache: { ...cols, p } };
}

/** Gradients of groupedAttention as row-major arrays dq [N, H·hd], dk and dv [N, Hkv·hd] (RoPE not undone). */
export function groupedAttentionBackward(tf: Tf, dy: Tensor2D, c: GqaCache, s: GqaShape): { dq: Float32Array; dk: Float32Array; dv: Float32Array } {
  const g = Kernels.get().attentionBackward(c.q, c.k, c.v, c.p, peek(tf, dy), s);
  return { dq: g.dq.data, dk: g.dk.data, dv: g.dv.data };
}
