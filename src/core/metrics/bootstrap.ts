// Deterministic percentile bootstrap: the same seed gives the same interval on every machine, so a saved evaluation
// can be reproduced and two runs' intervals compared.
import { seededRandom } from '../random';

export interface BootstrapOptions {
  /** Number of resamples. Default 1000. */
  samples?: number;
  /** Seed of the resampling generator. Default 0. */
  seed?: number;
  /** 1 − confidence level; 0.05 gives a 95% interval. Default 0.05. */
  alpha?: number;
}

export interface Interval {
  low: number;
  high: number;
}

export interface ResolvedBootstrap {
  samples: number;
  seed: number;
  alpha: number;
}

export function resolveBootstrap(options: BootstrapOptions = {}): ResolvedBootstrap {
  const samples = options.samples ?? 1000;
  const seed = options.seed ?? 0;
  const alpha = options.alpha ?? 0.05;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`samples: a positive integer, got ${samples}`);
  if (!Number.isInteger(seed)) throw new Error(`seed: an integer, got ${seed}`);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha: strictly between 0 and 1, got ${alpha}`);
  return { samples, seed, alpha };
}

/** Linear-interpolation quantile of sorted values (NumPy's default), q in [0, 1]. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Draws `samples` resamples of indices 0..n-1 with replacement and hands each to every statistic, so intervals of
 * metrics over the same records come from the same resamples. A statistic returns NaN for a resample where it is
 * undefined (e.g. no scored tokens); those resamples are left out of that statistic's interval.
 */
export function bootstrapStatistics(n: number, statistics: ReadonlyArray<(indices: Uint32Array) => number>, options: BootstrapOptions = {}): Array<Interval | null> {
  const { samples, seed, alpha } = resolveBootstrap(options);
  if (n === 0) return statistics.map(() => null);
  const random = seededRandom(seed);
  const draws = statistics.map(() => [] as number[]);
  const indices = new Uint32Array(n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) indices[i] = Math.floor(random() * n);
    statistics.forEach((stat, k) => {
      const v = stat(indices);
      if (!Number.isNaN(v)) draws[k].push(v);
    });
  }
  return draws.map((d) => {
    if (d.length === 0) return null;
    d.sort((x, y) => x - y);
    return { low: quantileSorted(d, alpha / 2), high: quantileSorted(d, 1 - alpha / 2) };
  });
}

/** Percentile bootstrap interval of the mean of `values`. */
export function bootstrapCI(values: readonly number[], options: BootstrapOptions = {}): Interval & { mean: number } {
  if (values.length === 0) throw new Error('values: at least one value is needed for an interval');
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`values[${i}]: not a finite number (${v})`);
  });
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const [ci] = bootstrapStatistics(values.length, [(idx) => meanAt(values, idx)], options);
  return { mean, low: (ci as Interval).low, high: (ci as Interval).high };
}

export function meanAt(values: readonly number[], indices: Uint32Array): number {
  let sum = 0;
  for (let i = 0; i < indices.length; i++) sum += values[indices[i]];
  return sum / indices.length;
}

export { seededRandom };
