// The live loss chart: train/eval loss of one or several runs, plus lr, grad norm and throughput,
// redrawn at most a few times a second however fast rows arrive.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import './style.css';
import type { MetricsRow } from '../../src/core/runs/metrics';
import { downsampleMinMax, emaSmooth, extractSeries, type Series, type XAxis } from '../../src/core/runs/series';
import { DPO_PANELS, isDpoRow } from '../../src/core/runs/dpoSeries';
import { percent, percentTicks } from '../shared/percent';
import { isChartViewState, validateHostToChart, type ChartRun, type ChartToHost, type ChartViewState } from '../../src/shared/protocol/lossChart';

interface VsCodeApi {
  postMessage(m: ChartToHost): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const REDRAW_INTERVAL_MS = 250;
/** Points drawn per series: min/max buckets keep spikes while the cost stays flat at 100k+ rows. */
const DRAW_BUCKETS = 1500;

const saved = vscode.getState();
const view: ChartViewState = isChartViewState(saved) ? saved : { selected: [], smoothing: 0.6, logScale: false, xAxis: 'step' };
let runs: ChartRun[] = [];
const rowsByRun = new Map<string, MetricsRow[]>();
/** Runs with DPO fields, noted as rows arrive: rescanning 100k rows on every redraw cost more than drawing. */
const dpoRuns = new Set<string>();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const runList = $('runs');
const smoothing = $<HTMLInputElement>('smoothing');
const smoothingValue = $('smoothing-value');
const logScale = $<HTMLInputElement & { checked: boolean }>('log-scale');
const xAxisSelect = $<HTMLElement & { value: string }>('x-axis');
const status = $('status');

function css(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}
const palette = () => [
  css('--vscode-charts-blue', '#3794ff'), css('--vscode-charts-orange', '#d18616'), css('--vscode-charts-green', '#89d185'),
  css('--vscode-charts-purple', '#b180d7'), css('--vscode-charts-red', '#f14c4c'), css('--vscode-charts-yellow', '#cca700'),
];

function persist(): void {
  vscode.setState(view);
}

// ---- charts ---------------------------------------------------------------------------------------

interface Panel {
  el: HTMLElement;
  title: string;
  /** Which field of which split, per selected run. */
  lines: Array<{ field: string; split: 'train' | 'eval'; label: string; dash?: number[] }>;
  plot?: uPlot;
  smooth: boolean;
  log: boolean;
  /** Values are fractions 0–1 (exact match, reward accuracy): a fixed 0–100% axis, labels and hover values in percent. */
  percent?: boolean;
  /** Shown only for runs with DPO statistics. */
  dpo?: boolean;
}

const panels: Panel[] = [
  { el: $('chart-loss'), title: 'loss', smooth: true, log: true, lines: [
    { field: 'loss', split: 'train', label: 'train loss' },
    { field: 'loss', split: 'eval', label: 'eval loss', dash: [6, 4] },
  ] },
  { el: $('chart-lr'), title: 'learning rate', smooth: false, log: false, lines: [{ field: 'lr', split: 'train', label: 'lr' }] },
  { el: $('chart-grad'), title: 'gradient norm', smooth: true, log: true, lines: [{ field: 'grad_norm', split: 'train', label: 'grad norm' }] },
  { el: $('chart-speed'), title: 'tokens / s', smooth: true, log: false, lines: [{ field: 'tokens_per_second', split: 'train', label: 'tokens/s' }] },
  { el: $('chart-em'), title: 'eval exact match', smooth: false, log: false, percent: true, lines: [{ field: 'exact_match', split: 'eval', label: 'exact match' }] },
  ...DPO_PANELS.map((d): Panel => ({ el: $(d.id), title: d.title, smooth: d.smooth, log: false, dpo: true, percent: d.percent, lines: d.lines })),
];

/** Merges several (x, y) series onto one sorted x axis, as uPlot wants (gaps are null). */
function align(series: Series[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const pos = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: Array<number | null> = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => { y[pos.get(x)!] = s.y[i]; });
    return y;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}

function selectedRuns(): ChartRun[] {
  const sel = view.selected.filter((id) => runs.some((r) => r.id === id));
  const ids = sel.length ? sel : runs.slice(0, 1).map((r) => r.id);
  return ids.map((id) => runs.find((r) => r.id === id)!);
}

function draw(): void {
  const shown = selectedRuns();
  const colors = palette();
  const fg = css('--vscode-foreground', '#ccc');
  const grid = css('--vscode-charts-lines', 'rgba(128,128,128,0.25)');
  const isDpo = shown.some((r) => r.stage === 'dpo' || dpoRuns.has(r.id));
  for (const p of panels) {
    if (p.dpo && !isDpo) { p.el.hidden = true; p.plot?.destroy(); p.plot = undefined; continue; }
    const seriesData: Series[] = [];
    const seriesOpts: uPlot.Series[] = [{ label: view.xAxis }];
    shown.forEach((run, ri) => {
      const rows = rowsByRun.get(run.id) ?? [];
      for (const line of p.lines) {
        let s = extractSeries(rows, line.field, line.split, view.xAxis as XAxis);
        if (p.smooth && line.split === 'train' && view.smoothing > 0) s = { x: s.x, y: emaSmooth(s.y, view.smoothing) };
        s = downsampleMinMax(s, DRAW_BUCKETS);
        seriesData.push(s);
        seriesOpts.push({
          label: shown.length > 1 ? `${run.label}: ${line.label}` : line.label,
          stroke: colors[(ri * p.lines.length + p.lines.indexOf(line)) % colors.length],
          width: 1.5,
          dash: line.dash,
          // Eval points always; train points only when sparse (uPlot's density default), so a run's first train
          // row is visible before there are two points to draw a line between.
          points: line.split === 'eval' ? { show: true } : {},
          spanGaps: true,
          ...(p.percent ? { value: (_u: uPlot, v: number | null) => (v === null ? '–' : percent(v)) } : {}),
        });
      }
    });
    const hasData = seriesData.some((s) => s.x.length > 0);
    const hide = !hasData && (p.el.id !== 'chart-loss') || (p.dpo === true && !isDpo);
    p.el.hidden = hide;
    if (hide) { p.plot?.destroy(); p.plot = undefined; continue; }
    const data = align(seriesData);
    const log = p.log && view.logScale;
    const key = JSON.stringify([seriesOpts.map((s) => s.label), log, view.xAxis]);
    if (p.plot && p.plot.root.dataset.key === key) {
      p.plot.setData(data, true);
      continue;
    }
    p.plot?.destroy();
    const width = Math.max(240, p.el.clientWidth || document.body.clientWidth - 24);
    const height = p.el.id === 'chart-loss' ? 320 : 160;
    p.plot = new uPlot({
      title: p.title,
      width,
      height,
      series: seriesOpts,
      scales: { x: { time: false }, y: log ? { distr: 3 } : p.percent ? { range: [0, 1] } : {} },
      axes: [
        { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid }, label: view.xAxis === 'time' ? 'seconds' : view.xAxis },
        { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid }, ...(p.percent ? { values: (_u: uPlot, splits: number[]) => percentTicks(splits) } : {}) },
      ],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
    }, data, p.el);
    p.plot.root.dataset.key = key;
  }
  updateStatus(shown);
}

function updateStatus(shown: ChartRun[]): void {
  const primary = shown[0];
  if (!primary) { status.textContent = 'No runs yet: start one with "Instruct Studio: Start Training".'; return; }
  const rows = rowsByRun.get(primary.id) ?? [];
  const lastTrain = findLast(rows, (r) => r.split !== 'eval');
  const lastEval = findLast(rows, (r) => r.split === 'eval');
  const parts = [`${primary.label} — ${primary.status}`];
  if (lastTrain) parts.push(`step ${lastTrain.step}`, `loss ${fmt(lastTrain.loss)}`);
  if (lastEval) parts.push(`eval loss ${fmt(lastEval.loss)}`);
  if (typeof lastEval?.exact_match === 'number') parts.push(`exact match ${percent(lastEval.exact_match)}`);
  if (typeof lastTrain?.['rewards/accuracies'] === 'number') parts.push(`reward accuracy ${percent(lastTrain['rewards/accuracies'], 0)}`, `margin ${fmt(lastTrain['rewards/margins'])}`);
  if (typeof lastEval?.reward_accuracy === 'number') parts.push(`eval reward accuracy ${percent(lastEval.reward_accuracy)}`);
  status.textContent = parts.join(' · ');
}
/** From the end, without copying the rows (a copy of 100k rows per redraw showed in the benchmark). */
function findLast(rows: readonly MetricsRow[], f: (r: MetricsRow) => boolean): MetricsRow | undefined {
  for (let i = rows.length - 1; i >= 0; i--) if (f(rows[i])) return rows[i];
  return undefined;
}
const fmt = (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : '–');

let redrawTimer: number | undefined;
let lastDraw = 0;
function scheduleDraw(): void {
  if (redrawTimer !== undefined) return;
  const wait = Math.max(0, REDRAW_INTERVAL_MS - (performance.now() - lastDraw));
  redrawTimer = window.setTimeout(() => {
    redrawTimer = undefined;
    lastDraw = performance.now();
    draw();
  }, wait);
}

// ---- run list --------------------------------------------------------------------------------------

function renderRunList(): void {
  runList.replaceChildren();
  const shownIds = new Set(selectedRuns().map((r) => r.id));
  for (const r of runs) {
    const box = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean; label: string };
    box.label = `${r.label} (${r.status})`;
    box.checked = shownIds.has(r.id);
    box.title = r.id;
    box.addEventListener('change', () => {
      const next = new Set(selectedRuns().map((x) => x.id));
      if (box.checked) next.add(r.id); else next.delete(r.id);
      view.selected = runs.map((x) => x.id).filter((id) => next.has(id));
      persist();
      vscode.postMessage({ type: 'select', runIds: view.selected });
      scheduleDraw();
    });
    runList.appendChild(box);
  }
}

// ---- controls --------------------------------------------------------------------------------------

smoothing.value = String(view.smoothing);
smoothingValue.textContent = view.smoothing.toFixed(2);
smoothing.addEventListener('input', () => {
  view.smoothing = Math.min(0.99, Math.max(0, Number(smoothing.value)));
  smoothingValue.textContent = view.smoothing.toFixed(2);
  persist();
  scheduleDraw();
});
logScale.checked = view.logScale;
logScale.addEventListener('change', () => { view.logScale = logScale.checked; persist(); scheduleDraw(); });
xAxisSelect.value = view.xAxis;
xAxisSelect.addEventListener('change', () => {
  const v = xAxisSelect.value;
  if (v === 'step' || v === 'time' || v === 'tokens') { view.xAxis = v; persist(); scheduleDraw(); }
});
$('export-csv').addEventListener('click', () => {
  const primary = selectedRuns()[0];
  if (primary) vscode.postMessage({ type: 'exportCsv', runId: primary.id });
});
$('export-png').addEventListener('click', () => vscode.postMessage({ type: 'exportPng', dataUrl: composePng() }));

/** All visible chart canvases stacked into one PNG on the editor's background colour. */
function composePng(): string {
  const canvases = panels.filter((p) => p.plot && !p.el.hidden).map((p) => p.plot!.ctx.canvas);
  const width = Math.max(1, ...canvases.map((c) => c.width));
  const height = Math.max(1, canvases.reduce((h, c) => h + c.height, 0));
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = css('--vscode-editor-background', '#1e1e1e');
  ctx.fillRect(0, 0, width, height);
  let y = 0;
  for (const c of canvases) { ctx.drawImage(c, 0, y); y += c.height; }
  return out.toDataURL('image/png');
}

new ResizeObserver(() => { for (const p of panels) p.plot?.setSize({ width: Math.max(240, p.el.clientWidth), height: p.plot.height }); })
  .observe(document.body);

// ---- messages --------------------------------------------------------------------------------------

window.addEventListener('message', (e: MessageEvent) => {
  const r = validateHostToChart(e.data);
  if (!r.ok) { console.warn(`loss chart: ignored a message: ${r.reason}`); return; }
  const m = r.message;
  switch (m.type) {
    case 'runs':
      runs = m.runs;
      if (view.selected.length === 0 && m.selected.length) view.selected = m.selected;
      for (const id of [...rowsByRun.keys()]) if (!runs.some((x) => x.id === id)) { rowsByRun.delete(id); dpoRuns.delete(id); }
      persist();
      renderRunList();
      break;
    case 'rows': {
      const list = m.reset ? [] : rowsByRun.get(m.runId) ?? [];
      if (m.reset) dpoRuns.delete(m.runId);
      for (const row of m.rows) {
        list.push(row);
        if (isDpoRow(row)) dpoRuns.add(m.runId);
      }
      rowsByRun.set(m.runId, list);
      break;
    }
    case 'status': {
      const run = runs.find((x) => x.id === m.runId);
      if (run) { run.status = m.status; renderRunList(); }
      break;
    }
  }
  scheduleDraw();
});

vscode.postMessage({ type: 'ready' });
if (view.selected.length) vscode.postMessage({ type: 'select', runIds: view.selected });
