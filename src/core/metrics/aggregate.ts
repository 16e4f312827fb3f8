// The whole evaluation: totals, per-task, seen vs unseen and the forgetting probe, in the shape the CLI prints.
import { resolveBootstrap, type BootstrapOptions } from './bootstrap';
import { forgettingSummary } from './forgetting';
import type { NllCount } from './perplexity';
import { recordSubsets } from './subsets';
import { scoreAll } from './record';
import { summarize } from './summarize';
import type { EvalRecord, EvalResults, ScoreOptions } from './types';

export interface AggregateOptions extends ScoreOptions {
  /** Resampling for the intervals (default 1000 samples, seed 0, alpha 0.05), or false for no intervals. */
  bootstrap?: BootstrapOptions | false;
  /** A second evaluation set from unseen tasks; its records count as `unseen: true`. */
  unseen?: readonly EvalRecord[];
  /**
   * The forgetting probe: the same general-text chunks scored by the base model (`before`) and the tuned one
   * (`after`), chunk for chunk, so the interval of the change can resample chunks in pairs.
   */
  forgetting?: { before: readonly NllCount[]; after: readonly NllCount[] };
}

/** Scores every record and summarises them; throws on the first invalid record, naming it and the field. */
export function aggregate(records: readonly EvalRecord[], options: AggregateOptions = {}): EvalResults {
  const bootstrap = options.bootstrap === false ? false : resolveBootstrap(options.bootstrap);
  const scored = scoreAll(records, 'records', options);
  if (options.unseen !== undefined) {
    for (const r of scoreAll(options.unseen, 'unseen', options)) scored.push({ ...r, unseen: true });
  }
  const summary = (indices: readonly number[]) => summarize(indices.map((i) => scored[i]), bootstrap, options.bleu);
  const subsets = recordSubsets(scored);
  const per_task: EvalResults['per_task'] = {};
  for (const [task, indices] of subsets.perTask) per_task[task] = summary(indices);
  return {
    ...summarize(scored, bootstrap, options.bleu),
    per_task,
    seen: subsets.seen && summary(subsets.seen),
    unseen: subsets.unseen && summary(subsets.unseen),
    forgetting: options.forgetting ? forgettingSummary(options.forgetting.before, options.forgetting.after, bootstrap) : null,
    bootstrap: bootstrap === false ? null : bootstrap,
  };
}
