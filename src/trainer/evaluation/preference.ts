// Evaluation of a preference-tuned model on a held-out preference file: DPO's implicit reward of each response is
// β·(log π_tuned − log π_base), and a pair is ranked right when the chosen response's reward beats the rejected one's.
// Reward accuracy, mean margin and the DPO loss, as the trainer logs them during a DPO run (src/trainer/dpo/).
// The tuned and the base model are loaded one after the other, so memory holds one model.
import type { RecordRenderer } from '../../core/template/types';
import { rendererOf } from '../template';
import { loadModel, type LoadedModel } from '../loadModel';
import { readRunInfo } from '../runFolder';
import { loadPreferencePairs, type PreferencePair } from '../dpo/data';
import { pairLogps, type SideLogps } from '../dpo/logps';
import { dpoStats, pairLogp, type DpoLossType, type DpoSettings } from '../dpo/loss';
import { DEFAULT_CONFIG } from '../config';
import { EvaluationCancelled } from './scoreModel';
import { baseFromRun, loadBase } from './evalRun';
import { runFolderOf } from './saveReport';

export interface PreferenceEvalOptions {
  /** Absolute paths; `base` may be `tiny`. Without `base`, the model the run was trained from (its run.json). */
  model: string;
  data: string;
  base?: string;
  /** Default: the run's dpoBeta / dpoLoss, else TRL's defaults (0.1, sigmoid). */
  beta?: number;
  limit?: number;
  skipInvalid: boolean;
  batchSize?: number;
}

export interface PreferenceReport {
  kind: 'preference';
  n: number;
  beta: number;
  loss_type: DpoLossType;
  /** Fraction of pairs whose chosen reward is above the rejected one's. */
  reward_accuracy: number;
  /** Mean chosen − rejected reward. */
  reward_margin: number;
  rewards_chosen: number;
  rewards_rejected: number;
  dpo_loss: number;
  meta: { created: string; model: string; base: string; data: string };
}

export async function runPreferenceEvaluation(opts: PreferenceEvalOptions, hooks: { renderer?: RecordRenderer; shouldStop?: () => boolean; log?: (m: string) => void; threads?: number } = {}): Promise<PreferenceReport> {
  const base = opts.base ?? baseFromRun(opts.model);
  const run = runFolderOf(opts.model);
  const config = (run ? readRunInfo(run)?.config : undefined) ?? {};
  const settings: DpoSettings = {
    beta: opts.beta ?? (typeof config.dpoBeta === 'number' ? config.dpoBeta : DEFAULT_CONFIG.dpoBeta),
    loss: config.dpoLoss === 'ipo' ? 'ipo' : 'sigmoid',
    labelSmoothing: typeof config.dpoLabelSmoothing === 'number' ? config.dpoLabelSmoothing : 0,
  };
  const tuned = await loadModel(opts.model, hooks.threads);
  let pairs: PreferencePair[] = [];
  let policy: SideLogps;
  const measure = async (m: LoadedModel, contextLength: number) => {
    const r = await pairLogps(m.engine, pairs, contextLength, tuned.tokenizer.padId, opts.batchSize ?? 8, hooks.shouldStop);
    if (hooks.shouldStop?.()) throw new EvaluationCancelled();
    return r;
  };
  let contextLength = tuned.contextLength;
  try {
    const renderer = hooks.renderer ?? rendererOf(tuned.template);
    pairs = (await loadPreferencePairs(opts.data, tuned.tokenizer, renderer, { skipInvalid: opts.skipInvalid, includeRejected: true, maxTokens: tuned.contextLength + 1 })).pairs;
    if (opts.limit) pairs = pairs.slice(0, opts.limit);
    hooks.log?.(`scoring ${pairs.length} preference pairs with ${tuned.dir}`);
    policy = await measure(tuned, contextLength);
  } finally {
    await tuned.engine.dispose();
  }
  const reference = await loadBase(base, tuned, hooks.threads);
  let ref: SideLogps;
  try {
    contextLength = Math.min(contextLength, reference.contextLength);
    hooks.log?.(`scoring them with the base model (${base})`);
    ref = await measure(reference, contextLength);
  } finally {
    await reference.engine.dispose();
  }
  const stats = dpoStats(pairs.map((p, i) => ({
    chosen: pairLogp(policy.chosen[i], p.chosen.trained, settings.loss), rejected: pairLogp(policy.rejected[i], p.rejected.trained, settings.loss),
    refChosen: pairLogp(ref.chosen[i], p.chosen.trained, settings.loss), refRejected: pairLogp(ref.rejected[i], p.rejected.trained, settings.loss),
  })), settings);
  return {
    kind: 'preference', n: stats.n, beta: settings.beta, loss_type: settings.loss,
    reward_accuracy: stats['rewards/accuracies'], reward_margin: stats['rewards/margins'],
    rewards_chosen: stats['rewards/chosen'], rewards_rejected: stats['rewards/rejected'], dpo_loss: stats.loss,
    meta: { created: new Date().toISOString(), model: tuned.dir, base, data: opts.data },
  };
}

export function preferenceTable(r: PreferenceReport): string {
  return [
    `${r.n} preference pairs; model ${r.meta.model}, reference (base) ${r.meta.base}; beta ${r.beta}, ${r.loss_type} loss`,
    `reward accuracy   ${(100 * r.reward_accuracy).toFixed(1)}%`,
    `reward margin     ${r.reward_margin.toFixed(4)}  (chosen ${r.rewards_chosen.toFixed(4)}, rejected ${r.rewards_rejected.toFixed(4)})`,
    `DPO loss          ${r.dpo_loss.toFixed(4)}`,
  ].join('\n') + '\n';
}
