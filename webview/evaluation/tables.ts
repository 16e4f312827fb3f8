// The metric table (value, interval, base, change with its paired interval, and a second evaluation when comparing),
// seen vs unseen, and the forgetting probe.
import type { Interval, MetricDelta, MetricSummary } from '../../src/core/metrics';
import type { EvalReport, PreferenceReport } from '../../src/shared/protocol/evaluation';
import { el, num, pct, signed, signedInterval, signedPercent } from './dom';
import { preferenceRows, preferenceSummary, winRateText } from './preferenceRows';

type Key = 'exact_match' | 'token_f1' | 'rouge_l' | 'bleu' | 'loss' | 'perplexity';
interface Row { label: string; value: (s: MetricSummary) => number | null; ci: (s: MetricSummary) => Interval | undefined; delta: (r: EvalReport) => MetricDelta | null | undefined; share: boolean; lowerIsBetter: boolean }

const plain = (k: Key, label: string, share: boolean): Row => ({
  label, share, lowerIsBetter: !share, value: (s) => s[k], ci: (s) => s.ci[k], delta: (r) => r.comparison?.[k],
});
const ifeval = (k: 'prompt_strict' | 'prompt_loose' | 'instruction_strict' | 'instruction_loose', label: string): Row => ({
  label, share: true, lowerIsBetter: false, value: (s) => s.ifeval?.[k] ?? null, ci: (s) => s.ci.ifeval?.[k], delta: (r) => r.comparison?.ifeval?.[k],
});
const ROWS: Row[] = [
  plain('exact_match', 'Exact match', true), plain('token_f1', 'Token F1', true), plain('rouge_l', 'ROUGE-L', true), plain('bleu', 'BLEU', true),
  plain('loss', 'Loss (response tokens)', false), plain('perplexity', 'Perplexity', false),
  ifeval('prompt_strict', 'IFEval prompt strict'), ifeval('prompt_loose', 'IFEval prompt loose'),
  ifeval('instruction_strict', 'IFEval instruction strict'), ifeval('instruction_loose', 'IFEval instruction loose'),
];

const fmt = (v: number | null | undefined, share: boolean) => (share ? pct(v) : num(v));
const interval = (i: Interval | undefined, share: boolean) => (i ? `[${fmt(i.low, share)}, ${fmt(i.high, share)}]` : '');

function changeCell(d: number, share: boolean, lowerIsBetter: boolean, ci?: Interval): HTMLTableCellElement {
  // Coloured only when the interval excludes zero: a change inside the noise is not called better or worse.
  const sure = ci ? ci.low > 0 || ci.high < 0 : false;
  const good = lowerIsBetter ? d < 0 : d > 0;
  const td = el('td', { class: sure ? (good ? 'better' : 'worse') : '' }, signed(d, share));
  if (ci) td.append(' ', el('span', { class: 'ci' }, signedInterval(ci.low, ci.high, share)));
  return td;
}

export function metricTable(r: EvalReport, other: EvalReport | null, otherLabel: string): HTMLTableElement {
  const withBase = r.comparison !== null;
  const head = el('tr', {}, el('th', {}, 'Metric'), el('th', {}, 'Tuned'), el('th', {}, '95% CI'));
  if (withBase) head.append(el('th', {}, 'Base'), el('th', {}, 'Change vs base [95% CI]'));
  if (other) head.append(el('th', { title: otherLabel }, 'Compared run'), el('th', {}, 'This − compared'));
  const body = el('tbody');
  for (const row of ROWS) {
    const v = row.value(r);
    const ov = other ? row.value(other) : null;
    if (v === null && ov === null && !row.delta(r)) continue;
    const tr = el('tr', {}, el('td', {}, row.label), el('td', {}, fmt(v, row.share)), el('td', { class: 'ci' }, interval(row.ci(r), row.share)));
    if (withBase) {
      const d = row.delta(r);
      tr.append(el('td', {}, d ? fmt(d.base, row.share) : 'n/a'), d ? changeCell(d.delta, row.share, row.lowerIsBetter, d.ci) : el('td', {}, ''));
    }
    if (other) tr.append(el('td', {}, fmt(ov, row.share)), v !== null && ov !== null ? changeCell(v - ov, row.share, row.lowerIsBetter) : el('td', {}, ''));
    body.append(tr);
  }
  return el('table', { id: 'metric-table', 'aria-label': 'Metrics with 95% bootstrap intervals' }, el('thead', {}, head), body);
}

export function splitTable(r: EvalReport): HTMLElement {
  if (!r.seen || !r.unseen) return el('p', { class: 'meta' }, 'No records are tagged "unseen": true, so there is no generalization split.');
  const row = (label: string, s: MetricSummary, d: MetricDelta | null | undefined) => el('tr', {},
    el('td', {}, label), el('td', {}, String(s.n)), el('td', {}, pct(s.exact_match)), el('td', {}, pct(s.token_f1)), el('td', {}, pct(s.rouge_l)),
    el('td', {}, d ? signed(d.delta, true) : ''));
  return el('table', { id: 'split-table', 'aria-label': 'Seen vs unseen instructions' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Instructions'), el('th', {}, 'n'), el('th', {}, 'Exact'), el('th', {}, 'F1'), el('th', {}, 'ROUGE-L'), el('th', {}, 'Exact vs base'))),
    el('tbody', {}, row('Seen', r.seen, r.comparison?.seen?.exact_match), row('Unseen', r.unseen, r.comparison?.unseen?.exact_match)));
}

export function forgettingBlock(r: EvalReport): HTMLElement {
  const f = r.forgetting;
  if (!f) return el('p', { class: 'meta' }, 'No forgetting probe (evaluate with a base model and a general-text file).');
  const worse = f.ci.relative_change ? f.ci.relative_change.low > 0 : f.relative_change > 0;
  const better = f.ci.relative_change ? f.ci.relative_change.high < 0 : false;
  const ci = f.ci.relative_change ? ` [${signedPercent(f.ci.relative_change.low)}, ${signedPercent(f.ci.relative_change.high)}]` : '';
  return el('p', { id: 'forgetting-line' },
    'General-text perplexity ', el('strong', {}, num(f.perplexity_before)), ' (base) → ', el('strong', {}, num(f.perplexity_after)), ' (tuned): ',
    el('span', { class: worse ? 'worse' : better ? 'better' : '' }, `${signedPercent(f.relative_change)}${ci}`),
    worse ? ' — general ability was lost (forgetting).' : better ? ' — general text got easier.' : ' — no clear change.');
}

/** Tuned vs base on verifiable records, with the counts behind the rate. */
export function winRateBlock(r: EvalReport): HTMLElement {
  const w = r.win_rate;
  if (!w) {
    return el('p', { class: 'meta', id: 'win-rate' }, r.comparison
      ? 'No win rate: no record has a reference answer or checks to verify.'
      : 'No win rate: evaluate with a base model to compare tuned against base.');
  }
  const share = w.win_rate > 0.5 ? 'better' : w.win_rate < 0.5 ? 'worse' : '';
  return el('p', { id: 'win-rate' }, 'Win rate of tuned over base on verifiable records: ', el('strong', { class: share }, winRateText(w)));
}

/** Reward accuracy, margin and DPO loss, tuned vs base (and a second preference evaluation when comparing). */
export function preferenceTable(r: PreferenceReport, other: PreferenceReport | null, otherLabel: string): HTMLElement {
  const head = el('tr', {}, el('th', {}, 'Metric'), el('th', {}, 'Tuned'), el('th', {}, 'Base'), el('th', {}, 'Change vs base'));
  if (other) head.append(el('th', { title: otherLabel }, 'Compared run'));
  const otherRows = other ? preferenceRows(other) : null;
  const body = el('tbody');
  preferenceRows(r).forEach((row, i) => {
    const tr = el('tr', {}, el('td', {}, row.label), el('td', {}, row.tuned), el('td', {}, row.base),
      el('td', { class: row.better === null ? '' : row.better ? 'better' : 'worse' }, row.change));
    if (otherRows) tr.append(el('td', {}, otherRows[i].tuned));
    body.append(tr);
  });
  return el('div', {},
    el('p', { class: 'meta' }, preferenceSummary(r)),
    el('table', { id: 'preference-table', 'aria-label': 'Preference metrics, tuned vs base' }, el('thead', {}, head), body));
}
