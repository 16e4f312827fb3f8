// Human-readable lines for the CLI: the progress bar, metric and eval lines, before/after tables. Pure strings.
import type { ChildToParent, EvalRow, MetricsRow, TaskScore } from '../shared/protocol/trainer';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressBar(p: Extract<ChildToParent, { type: 'progress' }>, width = 24): string {
  const frac = p.totalSteps ? Math.min(1, p.step / p.totalSteps) : 0;
  const filled = Math.round(frac * width);
  const total = p.totalSteps ? String(p.totalSteps) : '?';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] step ${p.step}/${total}  loss ${p.loss.toFixed(4)}  ${Math.round(p.tokensPerSecond).toLocaleString('en')} tok/s  ETA ${p.etaSeconds === null ? '?' : formatDuration(p.etaSeconds)}`;
}

export function metricsLine(r: MetricsRow, totalSteps: number): string {
  const tasks = r.per_task ? '  ' + Object.entries(r.per_task).map(([t, l]) => `${t} ${l.toFixed(3)}`).join(', ') : '';
  const dpo = r['rewards/accuracies'] !== undefined ? `  reward acc ${pct(r['rewards/accuracies'])}  margin ${(r['rewards/margins'] ?? 0).toFixed(3)}` : '';
  return `step ${r.step}/${totalSteps || '?'}  loss ${r.loss.toFixed(4)}${dpo}  lr ${r.lr.toExponential(2)}  grad ${r.grad_norm.toFixed(2)}  ${Math.round(r.tokens_per_second).toLocaleString('en')} tok/s  ${formatDuration(r.elapsed_s)}${tasks}`;
}

export function evalLine(r: EvalRow): string {
  const em = r.exact_match === null ? '' : `  exact match ${pct(r.exact_match)}`;
  const split = r.seen && r.unseen ? `  (seen ${pct(r.seen.exact_match)}, unseen ${pct(r.unseen.exact_match)})` : '';
  const dpo = r.reward_accuracy !== undefined ? `  reward accuracy ${pct(r.reward_accuracy)}  margin ${(r.reward_margin ?? 0).toFixed(3)}` : '';
  return `eval at step ${r.step}: loss ${r.loss.toFixed(4)}${em}${dpo}${split}`;
}

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A table of exact match and loss per task, before and after. */
export function beforeAfterTable(before: EvalRow, after: EvalRow): string {
  const rows: Array<[string, TaskScore | undefined, TaskScore | undefined]> = [];
  const tasks = [...new Set([...Object.keys(before.per_task ?? {}), ...Object.keys(after.per_task ?? {})])].sort();
  for (const t of tasks) rows.push([t, before.per_task?.[t], after.per_task?.[t]]);
  if (after.seen && after.unseen) {
    rows.push(['seen instructions', before.seen, after.seen]);
    rows.push(['unseen instructions', before.unseen, after.unseen]);
  }
  rows.push(['all', { n: 0, exact_match: before.exact_match ?? 0, loss: before.loss }, { n: 0, exact_match: after.exact_match ?? 0, loss: after.loss }]);
  const w = Math.max(20, ...rows.map((r) => r[0].length));
  const head = `${'held-out'.padEnd(w)}  ${'exact match'.padStart(21)}  ${'loss per token'.padStart(17)}`;
  const sub = `${''.padEnd(w)}  ${'before'.padStart(9)}  ${'after'.padStart(10)}  ${'before'.padStart(7)}  ${'after'.padStart(8)}`;
  const body = rows.map(([name, b, a]) =>
    `${name.padEnd(w)}  ${(b ? pct(b.exact_match) : '-').padStart(9)}  ${(a ? pct(a.exact_match) : '-').padStart(10)}  ${(b ? b.loss.toFixed(3) : '-').padStart(7)}  ${(a ? a.loss.toFixed(3) : '-').padStart(8)}`);
  return [head, sub, ...body].join('\n');
}
