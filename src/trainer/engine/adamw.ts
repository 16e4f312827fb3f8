// AdamW over the flat parameter buffer in plain JS: TensorFlow.js has no AdamW, and a loop over
// Float32Arrays avoids re-uploading moments to the backend. Same arithmetic as torch.optim.AdamW
// (decay first, p ← p·(1 − lr·wd); then p ← p − lr/bc1 · m / (√v/√bc2 + eps)) so loss curves can be compared.
import type { OptimizerSettings } from './types';
import type { ParamLayout } from './params';

export class AdamW {
  step = 0;
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** 1 where weight decay applies, per parameter element range (see ParamSpec.decay). */
  private readonly ranges: Array<{ start: number; end: number; decay: boolean }>;

  /** `moments`: arrays to keep m and v in (shared memory, so data-parallel workers can update slices of them). */
  constructor(layout: ParamLayout, moments?: { m: Float32Array; v: Float32Array }) {
    this.m = moments?.m ?? new Float32Array(layout.total);
    this.v = moments?.v ?? new Float32Array(layout.total);
    if (this.m.length !== layout.total || this.v.length !== layout.total) throw new Error(`AdamW moments must have ${layout.total} values`);
    this.ranges = layout.specs.map((s) => ({ start: s.offset, end: s.offset + s.size, decay: s.decay }));
  }

  /** Updates `params` in place from `grad` (already averaged), scaled by `gradScale` (clipping). */
  update(params: Float32Array, grad: Float32Array, o: OptimizerSettings, gradScale: number): void {
    this.step++;
    this.updateRange(params, grad, o, gradScale, this.step, 0, params.length);
  }

  /**
   * The update of elements [lo, hi) at optimizer step `step` (counted from 1), leaving `this.step` alone: data-parallel
   * workers each run it on their own slice of the shared arrays.
   */
  updateRange(params: Float32Array, grad: Float32Array, o: OptimizerSettings, gradScale: number, step: number, lo: number, hi: number): void {
    const { lr, beta1: b1, beta2: b2, eps, weightDecay } = o;
    const stepSize = lr / (1 - Math.pow(b1, step));
    const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
    const { m, v } = this;
    for (const r of this.ranges) {
      const start = Math.max(r.start, lo);
      const end = Math.min(r.end, hi);
      const keep = r.decay ? 1 - lr * weightDecay : 1;
      for (let i = start; i < end; i++) {
        const g = grad[i] * gradScale;
        const mi = (m[i] = b1 * m[i] + (1 - b1) * g);
        const vi = (v[i] = b2 * v[i] + (1 - b2) * g * g);
        params[i] = params[i] * keep - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
      }
    }
  }
}

/** Global L2 norm (in float64) and the factor that clips it to `clipNorm` (as torch's clip_grad_norm_). */
export function clipFactor(grad: Float32Array, clipNorm: number): { norm: number; scale: number } {
  let s = 0;
  for (let i = 0; i < grad.length; i++) s += grad[i] * grad[i];
  return clipOfSquares(s, clipNorm);
}

/** clipFactor from the sum of squares (added up elsewhere, e.g. per worker). */
export function clipOfSquares(sumOfSquares: number, clipNorm: number): { norm: number; scale: number } {
  const norm = Math.sqrt(sumOfSquares);
  const scale = clipNorm > 0 ? Math.min(1, clipNorm / (norm + 1e-6)) : 1;
  return { norm, scale };
}

export function validateSettings(o: OptimizerSettings): void {
  const bad = (k: string, why: string) => { throw new Error(`optimizer ${k} ${why}`); };
  if (!(o.lr >= 0) || !Number.isFinite(o.lr)) bad('lr', `must be a finite number ≥ 0, got ${o.lr}`);
  if (!(o.beta1 >= 0 && o.beta1 < 1)) bad('beta1', `must be in [0, 1), got ${o.beta1}`);
  if (!(o.beta2 >= 0 && o.beta2 < 1)) bad('beta2', `must be in [0, 1), got ${o.beta2}`);
  if (!(o.eps > 0)) bad('eps', `must be > 0, got ${o.eps}`);
  if (!(o.weightDecay >= 0)) bad('weightDecay', `must be ≥ 0, got ${o.weightDecay}`);
  if (!(o.clipNorm >= 0)) bad('clipNorm', `must be ≥ 0 (0 = off), got ${o.clipNorm}`);
}
