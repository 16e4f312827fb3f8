// Shared fixtures for the engine tests: tiny configs and deterministic batches.
import type { Batch, GptConfig, OptimizerSettings } from '../../../src/trainer/engine/types';
import { uniform } from '../../../src/trainer/engine/rng';

export const TINY: GptConfig = { vocabSize: 17, contextLength: 8, dModel: 16, nLayers: 2, nHeads: 2 };

export const OPT: OptimizerSettings = { lr: 3e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 };

/** A batch of a learnable pattern (each token predicts token + 1 mod vocab), loss on every position. */
export function patternBatch(cfg: Pick<GptConfig, 'vocabSize'>, batchSize: number, seqLen: number, seed: number): Batch {
  const rnd = uniform(seed);
  const n = batchSize * seqLen;
  const tokens = new Int32Array(n);
  const targets = new Int32Array(n);
  for (let r = 0; r < batchSize; r++) {
    let t = Math.floor(rnd() * cfg.vocabSize);
    for (let i = 0; i < seqLen; i++) {
      tokens[r * seqLen + i] = t;
      t = (t + 1) % cfg.vocabSize;
      targets[r * seqLen + i] = t;
    }
  }
  return { batchSize, seqLen, tokens, targets, weights: new Float32Array(n).fill(1) };
}

/** Random tokens, targets and 0/1 weights. */
export function randomBatch(cfg: Pick<GptConfig, 'vocabSize'>, batchSize: number, seqLen: number, seed: number): Batch {
  const rnd = uniform(seed);
  const n = batchSize * seqLen;
  const tokens = Int32Array.from({ length: n }, () => Math.floor(rnd() * cfg.vocabSize));
  const targets = Int32Array.from({ length: n }, () => Math.floor(rnd() * cfg.vocabSize));
  const weights = Float32Array.from({ length: n }, () => (rnd() < 0.7 ? 1 : 0));
  return { batchSize, seqLen, tokens, targets, weights };
}

export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-12);
}
