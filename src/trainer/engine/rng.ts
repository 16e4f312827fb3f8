// A small seeded generator for weight init: same seed → same weights on every machine and backend,
// independent of TensorFlow.js's own RNG (which differs between backends).

import { seededRandom } from '../../core/random';

/** Uniform floats in [0, 1) from a 32-bit seed (the shared mulberry32). */
export const uniform = seededRandom;

/** Fills `out` with normal(0, std) samples (Box-Muller over `uniform(seed)`). */
export function fillNormal(out: Float32Array, std: number, seed: number): void {
  const u = uniform(seed);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const theta = 2 * Math.PI * u();
    out[i] = std * r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = std * r * Math.sin(theta);
  }
}

/** A per-tensor seed derived from the run seed and the tensor's name, so adding a tensor never shifts the others. */
export function seedFor(seed: number, name: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
