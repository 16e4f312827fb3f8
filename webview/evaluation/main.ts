// The evaluation panel: renders what the host sends (validated), keeps sort/filter and which reports are shown
// in the webview state so the panel comes back as it was after a reload.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './style.css';
import { isEvaluationViewState, isPreferenceReport, validateHostToEvaluation, type EvaluationToHost, type EvaluationViewState, type PanelEvaluation, type SortKey } from '../../src/shared/protocol/evaluation';
import { FIRST_PAGE, renderGenerations, sortedIndices } from './generations';
import { forgettingBlock, metricTable, preferenceTable, splitTable, winRateBlock } from './tables';
import { taskChart } from './taskChart';

interface VsCodeApi {
  postMessage(m: EvaluationToHost): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const saved = vscode.getState();
const view: EvaluationViewState = isEvaluationViewState(saved) ? saved : { report: '', compare: null, sort: 'token_f1', filter: '' };
let primary: PanelEvaluation | null = null;
let other: PanelEvaluation | null = null;
let selected = new Set<number>();
let shown = FIRST_PAGE;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const sort = $<HTMLElement & { value: string }>('sort');
const filter = $<HTMLElement & { value: string }>('filter');
const sendPreference = $<HTMLElement & { disabled: boolean }>('send-preference');
const sendInstruction = $<HTMLElement & { disabled: boolean }>('send-instruction');
const clearCompare = $('clear-compare');

sort.value = view.sort;
filter.value = view.filter;

function persist(): void {
  vscode.setState(view);
}

function renderAll(): void {
  if (!primary) return;
  const r = primary.report;
  $('error').hidden = true;
  $('title').textContent = `Evaluation · ${primary.label}`;
  const pref = isPreferenceReport(r);
  const bits = [pref ? `${r.n} preference pairs` : `${r.n} records`, `model ${r.meta.model}`, r.meta.base ? `base ${r.meta.base}` : 'no base model', `data ${r.meta.data}`, new Date(r.meta.created).toLocaleString()];
  if (other) bits.push(`compared with ${other.label}`);
  if (primary.skipped) bits.push(`${primary.skipped} generation line(s) left out (invalid or beyond the list cap)`);
  $('meta').textContent = bits.join(' · ');
  // A preference evaluation scores pairs: no generations, tasks or forgetting to show.
  $('breakdown').hidden = $('gen-section').hidden = pref;
  clearCompare.hidden = other === null;
  if (pref) {
    const o = other && isPreferenceReport(other.report) ? other.report : null;
    $('metrics').replaceChildren(preferenceTable(r, o, other?.label ?? ''));
    return;
  }
  const o = other && !isPreferenceReport(other.report) ? other.report : null;
  $('metrics').replaceChildren(metricTable(r, o, other?.label ?? ''), winRateBlock(r));
  $('tasks').replaceChildren(taskChart(r, o));
  $('split').replaceChildren(splitTable(r));
  $('forgetting').replaceChildren(forgettingBlock(r));
  renderList();
}

function renderList(): void {
  if (!primary) return;
  const gens = primary.generations;
  const order = sortedIndices(gens, view.sort, view.filter);
  const failures = order.filter((i) => gens[i].scores.tuned.exact_match === 0).length;
  $('gen-status').textContent = `${order.length} of ${gens.length} generations${view.filter ? ' match the filter' : ''}; ${failures} not exact; ${selected.size} selected`;
  sendPreference.disabled = sendInstruction.disabled = selected.size === 0;
  renderGenerations($('generations'), gens, order, selected, shown, {
    open: (g) => vscode.postMessage({ type: 'openRecord', file: g.file, line: g.line }),
    toggle: (i, on) => {
      if (on) selected.add(i); else selected.delete(i);
      renderList();
    },
  }, () => { shown += FIRST_PAGE; renderList(); });
}

sort.addEventListener('change', () => {
  view.sort = sort.value as SortKey;
  shown = FIRST_PAGE;
  persist();
  renderList();
});
filter.addEventListener('input', () => {
  view.filter = filter.value;
  shown = FIRST_PAGE;
  persist();
  renderList();
});
$('compare').addEventListener('click', () => vscode.postMessage({ type: 'pickCompare' }));
clearCompare.addEventListener('click', () => vscode.postMessage({ type: 'clearCompare' }));
const send = (as: 'preference' | 'instruction') => { if (selected.size) vscode.postMessage({ type: 'sendToAnnotator', indices: [...selected], as }); };
sendPreference.addEventListener('click', () => send('preference'));
sendInstruction.addEventListener('click', () => send('instruction'));

window.addEventListener('message', (e: MessageEvent) => {
  const r = validateHostToEvaluation(e.data);
  if (!r.ok) { console.warn(`evaluation panel: ignored a message: ${r.reason}`); return; }
  const m = r.message;
  if (m.type === 'show') {
    if (primary?.path !== m.primary.path) { selected = new Set(); shown = FIRST_PAGE; }
    primary = m.primary;
    other = m.other;
    view.report = m.primary.path;
    view.compare = m.other?.path ?? null;
    persist();
    renderAll();
  } else if (m.type === 'error') {
    $('error').hidden = false;
    $('error').textContent = m.message;
  } else if (m.type === 'sent') {
    selected = new Set();
    renderList();
    $('gen-status').textContent = `Wrote ${m.count} record(s) to ${m.file}; opened in the Pair Annotator.`;
  }
});

vscode.postMessage({ type: 'ready' });
