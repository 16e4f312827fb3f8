// The DPO objective on sequence log-probabilities, as TRL's DPOTrainer computes it (dpo_loss), plus the derivative
// the training step needs. Everything here is per pair and plain numbers: the model only supplies log-probabilities.
//
//   x = (log π(chosen) − log π(rejected)) − (log π_ref(chosen) − log π_ref(rejected))
//   sigmoid: L = −(1 − ε)·log σ(β·x) − ε·log σ(−β·x)      (Rafailov et al.; ε = label smoothing, "conservative DPO")
//   ipo:     L = (x − 1/(2β))²                              (Azar et al.; log-probs averaged over response tokens)
//   rewards: β·(log π − log π_ref) of each response
import type { DpoMetrics } from '../../shared/protocol/trainer';

export type DpoLossType = 'sigmoid' | 'ipo';

export interface DpoSettings {
  beta: number;
  loss: DpoLossType;
  labelSmoothing: number;
}

/** One pair's log-probabilities (summed over response tokens, or averaged for IPO: see `pairLogp`). */
export interface PairLogps {
  chosen: number;
  rejected: number;
  refChosen: number;
  refRejected: number;
}

/** log σ(z) without overflow for large |z|. */
export function logSigmoid(z: number): number {
  return Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The loss of one pair and dL/dx, x being the difference of log-ratios above. */
export function pairLoss(p: PairLogps, s: DpoSettings): { loss: number; dx: number } {
  const x = (p.chosen - p.rejected) - (p.refChosen - p.refRejected);
  if (s.loss === 'ipo') {
    const d = x - 1 / (2 * s.beta);
    return { loss: d * d, dx: 2 * d };
  }
  const e = s.labelSmoothing;
  const bx = s.beta * x;
  return {
    loss: -(1 - e) * logSigmoid(bx) - e * logSigmoid(-bx),
    dx: -s.beta * (1 - e) * sigmoid(-bx) + s.beta * e * sigmoid(bx),
  };
}

/** A response's log-probability as the loss sees it: the sum over its tokens, or the mean for IPO (as TRL). */
export function pairLogp(summedLogp: number, tokens: number, loss: DpoLossType): number {
  return loss === 'ipo' ? summedLogp / Math.max(1, tokens) : summedLogp;
}

export interface DpoStats extends Required<DpoMetrics> {
  loss: number;
  n: number;
}

/** Means over pairs of the loss and TRL's logged statistics. Accuracy counts strict wins, as TRL does. */
export function dpoStats(pairs: readonly PairLogps[], s: DpoSettings): DpoStats {
  const n = pairs.length;
  let loss = 0, rc = 0, rr = 0, acc = 0, lc = 0, lr = 0;
  for (const p of pairs) {
    loss += pairLoss(p, s).loss;
    const chosenReward = s.beta * (p.chosen - p.refChosen);
    const rejectedReward = s.beta * (p.rejected - p.refRejected);
    rc += chosenReward;
    rr += rejectedReward;
    if (chosenReward > rejectedReward) acc++;
    lc += p.chosen;
    lr += p.rejected;
  }
  const mean = (v: number) => (n ? v / n : 0);
  return {
    n, loss: mean(loss),
    'rewards/chosen': mean(rc), 'rewards/rejected': mean(rr), 'rewards/accuracies': mean(acc), 'rewards/margins': mean(rc - rr),
    'logps/chosen': mean(lc), 'logps/rejected': mean(lr),
  };
}
