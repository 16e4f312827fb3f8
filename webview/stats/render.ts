// The statistics page's sections, built from one DatasetStats object.
import type { DatasetStats, LengthStats } from '../../src/core/dataset/types';
import { h } from './dom';
import { count, percent, share, tokens } from './format';
import { histogramChart, type HistogramChart } from './histogram';

const FORMAT_LABEL: Record<string, string> = {
  alpaca: 'alpaca (instruction / input / output)',
  chat: 'chat (messages)',
  completion: 'prompt / completion',
  preference: 'preference (prompt / chosen / rejected)',
  unknown: 'no known format',
};

export interface Rendered {
  element: HTMLElement;
  charts: HistogramChart[];
}

export function renderStats(stats: DatasetStats): Rendered {
  const charts = [
    histogramChart('Prompt length (tokens)', stats.promptTokens.histogram, 'prompt'),
    histogramChart('Response length (tokens)', stats.responseTokens.histogram, 'response'),
  ];
  const element = h('div', { class: 'stats' },
    summary(stats),
    h('section', { class: 'tables' },
      formatsTable(stats),
      stats.tasks ? tasksTable(stats.tasks, stats.records) : null,
    ),
    h('section', {},
      h('h2', {}, 'Token lengths'),
      h('p', { class: 'note' }, `Counted with the ${stats.tokenizer} tokenizer.`),
      lengthsTable(stats),
      h('div', { class: 'charts' }, ...charts.map((c) => c.element)),
    ),
  );
  return { element, charts };
}

function summary(s: DatasetStats): HTMLElement {
  const tile = (label: string, value: string, detail?: string, tone?: 'error' | 'warning') =>
    h('div', { class: `tile${tone ? ` ${tone}` : ''}` }, h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-label' }, label), detail ? h('div', { class: 'tile-detail' }, detail) : null);
  return h('section', { class: 'tiles', 'aria-label': 'Summary' },
    tile('records', count(s.records), s.invalid ? `${count(s.invalid)} invalid line${s.invalid === 1 ? '' : 's'}` : 'all lines are records'),
    tile('errors', count(s.errors), undefined, s.errors ? 'error' : undefined),
    tile('warnings', count(s.warnings), undefined, s.warnings ? 'warning' : undefined),
    tile('duplicates', percent(s.duplicateRate), `${count(s.duplicates)} exact repeat${s.duplicates === 1 ? '' : 's'}`),
    tile('near-duplicates', percent(s.nearDuplicateRate), `${count(s.nearDuplicates)} record${s.nearDuplicates === 1 ? '' : 's'}`),
    tile('empty', percent(s.emptyRate), `${count(s.empty)} with an empty required field`),
  );
}

function table(caption: string, head: string[], rows: Array<Array<string>>, numericFrom = 1): HTMLElement {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c, i) => h('th', { scope: 'col', class: i >= numericFrom ? 'num' : '' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: i >= numericFrom ? 'num' : '' }, c)))))),
  );
}

function formatsTable(s: DatasetStats): HTMLElement {
  const rows = Object.entries(s.formats)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => [FORMAT_LABEL[f] ?? f, count(n), share(n, s.records)]);
  return table('Records per format', ['format', 'records', 'share'], rows.length ? rows : [['—', '0', '—']]);
}

function tasksTable(tasks: NonNullable<DatasetStats['tasks']>, records: number): HTMLElement {
  const rows = Object.entries(tasks.counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, n]) => [t, count(n), share(n, records)]);
  return table(`Records per ${tasks.field}`, [tasks.field, 'records', 'share'], rows);
}

function lengthsTable(s: DatasetStats): HTMLElement {
  const row = (name: string, l: LengthStats) => [name, count(l.count), tokens(l.mean), tokens(l.min), tokens(l.p50), tokens(l.p90), tokens(l.p99), tokens(l.max)];
  return table('Token-length percentiles', ['', 'records', 'mean', 'min', 'p50', 'p90', 'p99', 'max'], [
    row('prompt', s.promptTokens),
    row('response', s.responseTokens),
  ]);
}
