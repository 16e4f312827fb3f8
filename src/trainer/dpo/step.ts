// One DPO optimizer step and one DPO evaluation. The step needs ∇L = (1/N)·Σᵢ dLᵢ/dxᵢ·(∇log π(chosenᵢ) − ∇log π(rejectedᵢ)),
// and log π(response) = −Σ mask·nll over its row: so one backward pass with each row's mask scaled by its pair's
// coefficient (−dL/dx on chosen rows, +dL/dx on rejected rows) and the sum divided by N pairs gives exactly ∇L.
// The coefficients need the policy's log-probabilities first: a forward without gradients (rowLosses) per micro-batch.
import type { Batch, Engine, OptimizerSettings } from '../engine/types';
import { pairBatch, type PreferencePair } from './data';
import { dpoStats, pairLogp, pairLoss, type DpoSettings, type DpoStats, type PairLogps } from './loss';
import { pairLogps, type SideLogps } from './logps';

/** A pair with its reference log-probabilities (summed over the response). */
export interface ScoredPair {
  pair: PreferencePair;
  refChosen: number;
  refRejected: number;
}

export interface DpoStepResult {
  stats: DpoStats;
  gradNorm: number;
  /** All tokens processed, padding included (for throughput). */
  tokens: number;
}

export async function dpoTrainStep(
  engine: Pick<Engine, 'rowLosses' | 'trainStep'>, micro: readonly ScoredPair[][], s: DpoSettings, opt: OptimizerSettings, contextLength: number, padId: number,
): Promise<DpoStepResult> {
  const total = micro.reduce((n, m) => n + m.length, 0);
  const batches: Batch[] = [];
  const logps: PairLogps[] = [];
  for (const group of micro) {
    const batch = pairBatch(group.map((g) => g.pair), contextLength, padId);
    const rows = await engine.rowLosses(batch);
    const n = group.length;
    const T = batch.seqLen;
    const weights = new Float32Array(batch.weights.length);
    group.forEach((g, k) => {
      const p = scored(g, -rows[k], -rows[n + k], s);
      logps.push(p);
      const { dx } = pairLoss(p, s);
      // d log π / d(Σ mask·nll) is −1 (or −1/tokens for IPO's mean): chain rule onto each row's mask.
      const chosenScale = -dx * pairLogp(1, g.pair.chosen.trained, s.loss);
      const rejectedScale = dx * pairLogp(1, g.pair.rejected.trained, s.loss);
      scaleRow(batch.weights, weights, k, T, chosenScale);
      scaleRow(batch.weights, weights, n + k, T, rejectedScale);
    });
    batches.push({ ...batch, weights });
  }
  const r = await engine.trainStep(batches, opt, { normalizer: total });
  return { stats: dpoStats(logps, s), gradNorm: r.gradNorm, tokens: r.tokens };
}

/** The DPO loss, rewards and accuracy of these pairs under the engine's current weights (no update). */
export async function dpoEvaluate(
  engine: Pick<Engine, 'rowLosses'>, pairs: readonly PreferencePair[], ref: SideLogps, s: DpoSettings, contextLength: number, padId: number, pairsPerBatch: number, shouldStop?: () => boolean,
): Promise<DpoStats> {
  const policy = await pairLogps(engine, pairs, contextLength, padId, pairsPerBatch, shouldStop);
  const scoredPairs = policy.chosen.map((c, i) => scored({ pair: pairs[i], refChosen: ref.chosen[i], refRejected: ref.rejected[i] }, c, policy.rejected[i], s));
  return dpoStats(scoredPairs, s);
}

/** Policy and reference log-probabilities as the loss reads them (summed, or per token for IPO). */
function scored(g: ScoredPair, chosen: number, rejected: number, s: DpoSettings): PairLogps {
  const c = g.pair.chosen.trained;
  const r = g.pair.rejected.trained;
  return {
    chosen: pairLogp(chosen, c, s.loss), rejected: pairLogp(rejected, r, s.loss),
    refChosen: pairLogp(g.refChosen, c, s.loss), refRejected: pairLogp(g.refRejected, r, s.loss),
  };
}

function scaleRow(src: Float32Array, dst: Float32Array, row: number, T: number, scale: number): void {
  for (let t = row * T; t < (row + 1) * T; t++) dst[t] = src[t] * scale;
}
