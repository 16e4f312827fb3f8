// The runs view's line about a run's newest evaluation, kept beside the run summary so it is tested without VS Code.
import type { EvaluationSummary } from './runFolder';

/** The runs view's one-line summary of the newest evaluation; fractions in percent, their changes in points. */
export function evaluationSummary(ev: EvaluationSummary | undefined): string | undefined {
  const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
  if (!ev) return undefined;
  if (ev.kind === 'preference') return `reward acc ${pct(ev.rewardAccuracy)} · margin ${ev.rewardMargin >= 0 ? '+' : ''}${ev.rewardMargin.toFixed(3)}`;
  if (ev.exactMatch === null) return undefined;
  const delta = ev.exactMatchDelta !== null ? ` (${ev.exactMatchDelta >= 0 ? '+' : ''}${(ev.exactMatchDelta * 100).toFixed(0)} pp vs base)` : '';
  const win = ev.winRate ? ` · win ${pct(ev.winRate.win_rate)}` : '';
  return `evaluated EM ${pct(ev.exactMatch)}${delta}${win}`;
}
