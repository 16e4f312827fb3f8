// The human-readable `eval` output: one row per metric with its 95% interval, and the base model's value and the
// change with its paired interval when a base was evaluated; then per task, seen vs unseen, and forgetting.
import type { Interval, MetricDelta, MetricSummary } from '../../core/metrics';
import type { EvalReport } from '../../shared/protocol/evaluation';

type Key = 'exact_match' | 'token_f1' | 'rouge_l' | 'bleu' | 'loss' | 'perplexity';
const ROWS: Array<[Key, string, boolean]> = [
  ['exact_match', 'exact match', true], ['token_f1', 'token F1', true], ['rouge_l', 'ROUGE-L', true], ['bleu', 'BLEU', true],
  ['loss', 'loss', false], ['perplexity', 'perplexity', false],
];
const IFEVAL = ['prompt_strict', 'prompt_loose', 'instruction_strict', 'instruction_loose'] as const;

const fmt = (v: number | null | undefined, share: boolean) => (v === null || v === undefined ? 'n/a' : share ? `${(100 * v).toFixed(1)}%` : v.toFixed(3));
const signed = (v: number, share: boolean) => `${v >= 0 ? '+' : ''}${share ? (100 * v).toFixed(1) : v.toFixed(3)}`;
const ci = (i: Interval | undefined, share: boolean) => (i ? `[${fmt(i.low, share)}, ${fmt(i.high, share)}]` : '');
const dci = (d: MetricDelta | null | undefined, share: boolean) => (d?.ci ? `[${signed(d.ci.low, share)}, ${signed(d.ci.high, share)}]` : '');

export function evalTable(r: EvalReport): string {
  const out: string[] = [];
  const parts = [`${r.n} records`];
  if (r.seen && r.unseen) parts.push(`${r.seen.n} seen, ${r.unseen.n} unseen`);
  out.push(`${parts.join(', ')}; model ${r.meta.model}${r.meta.base ? `, base ${r.meta.base}` : ''}`);
  const withBase = r.comparison !== null;
  const head = ['metric'.padEnd(22), 'value'.padStart(9), '95% CI'.padEnd(20)];
  if (withBase) head.push('base'.padStart(9), 'change'.padStart(8), '95% CI of change');
  out.push(head.join('  ').trimEnd());
  const row = (label: string, v: number | null, i: Interval | undefined, d: MetricDelta | null | undefined, share: boolean) => {
    const cells = [label.padEnd(22), fmt(v, share).padStart(9), ci(i, share).padEnd(20)];
    if (withBase) cells.push(fmt(d?.base, share).padStart(9), (d ? signed(d.delta, share) : '').padStart(8), dci(d, share));
    out.push(cells.join('  ').trimEnd());
  };
  for (const [k, label, share] of ROWS) row(label, r[k], r.ci[k], r.comparison?.[k], share);
  if (r.ifeval) for (const k of IFEVAL) row(`IFEval ${k.replace('_', ' ')}`, r.ifeval[k], r.ci.ifeval?.[k], r.comparison?.ifeval?.[k], true);
  const tasks = Object.entries(r.per_task);
  if (tasks.length) {
    out.push('', `${'task'.padEnd(22)}  ${'n'.padStart(5)}  ${'exact'.padStart(7)}  ${'F1'.padStart(7)}  ${'ROUGE-L'.padStart(7)}  ${'loss'.padStart(7)}${withBase ? '  exact vs base' : ''}`);
    for (const [task, s] of tasks) out.push(summaryLine(task, s, withBase ? r.comparison?.per_task[task]?.exact_match : undefined));
  }
  if (r.seen && r.unseen) {
    out.push('', 'generalization');
    out.push(summaryLine('seen instructions', r.seen, r.comparison?.seen?.exact_match));
    out.push(summaryLine('unseen instructions', r.unseen, r.comparison?.unseen?.exact_match));
  }
  if (r.win_rate) {
    const w = r.win_rate;
    out.push('', `win rate vs base on verifiable records: ${fmt(w.win_rate, true)} (${w.wins} won, ${w.losses} lost, ${w.ties} tied of ${w.n}; ties count half)`);
  }
  if (r.forgetting) {
    const f = r.forgetting;
    out.push('', `forgetting: general-text perplexity ${f.perplexity_before.toFixed(3)} (base) → ${f.perplexity_after.toFixed(3)} (tuned), ` +
      `${signed(f.relative_change, true)}%${f.ci.relative_change ? ` [${signed(f.ci.relative_change.low, true)}%, ${signed(f.ci.relative_change.high, true)}%]` : ''}` +
      `${f.relative_change > 0 ? ' (worse: general ability lost)' : ' (no loss)'}`);
  }
  return out.join('\n') + '\n';
}

function summaryLine(label: string, s: MetricSummary, em: MetricDelta | null | undefined): string {
  const cells = [label.padEnd(22), String(s.n).padStart(5), fmt(s.exact_match, true).padStart(7), fmt(s.token_f1, true).padStart(7), fmt(s.rouge_l, true).padStart(7), fmt(s.loss, false).padStart(7)];
  if (em) cells.push(`${signed(em.delta, true)} ${dci(em, true)}`.trimEnd());
  return cells.join('  ');
}
