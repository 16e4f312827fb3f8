// The pair annotator webview: list + record, keyboard first. It holds no data of its own: every change is a
// message to the host, which edits the document and sends the new view back.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import './annotator.css';
import type { AnnotatorAction } from '../../src/core/annotate/actions';
import type { AnnotatorFilter } from '../../src/core/annotate/filter';
import { parseHostMessage, type HostToWebview, type WebviewToHost } from '../../src/shared/protocol/annotator';
import { clear, h, isTyping, keepSelectAllInField } from './dom';
import { KEY_HELP } from './keys';
import { RecordPanel } from './recordPanel';
import { VirtualList } from './virtualList';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  position: number;
  filter: AnnotatorFilter;
}

type Select = HTMLElement & { value: string; selectedIndex: number };

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<SavedState> | undefined;
let position = typeof saved?.position === 'number' ? saved.position : 0;
let state: Extract<HostToWebview, { type: 'state' }> | undefined;

const send = (m: WebviewToHost) => vscode.postMessage(m);
const save = () => vscode.setState({ position, filter: state?.filter ?? {} });

// ---- layout ----
const app = document.getElementById('app') as HTMLElement;
clear(app);
const fileName = h('strong', { class: 'file' });
const progress = h('span', { class: 'progress', role: 'status', 'aria-live': 'polite' });
const statusSel = h('vscode-single-select', { id: 'f-status', 'aria-label': 'Filter by status' }) as Select;
for (const [value, label] of [['', 'All statuses'], ['unreviewed', 'Unreviewed'], ['accepted', 'Accepted'], ['rejected', 'Rejected']]) {
  statusSel.append(h('vscode-option', { value }, label));
}
const problemSel = h('vscode-single-select', { id: 'f-problem', 'aria-label': 'Filter by problem' }) as Select;
const taskSel = h('vscode-single-select', { id: 'f-task', 'aria-label': 'Filter by task' }) as Select;
const search = h('vscode-textfield', { id: 'f-text', placeholder: 'Search (/)', 'aria-label': 'Search records' }) as HTMLElement & { value: string };
const bulk = (label: string, op: 'acceptAll' | 'exportAccepted' | 'toPreference', title: string) => {
  const b = h('vscode-button', { secondary: true, title }, label);
  b.addEventListener('click', () => send({ type: 'bulk', op }));
  return b;
};
const helpBtn = h('vscode-button', { secondary: true, title: 'Keyboard help (?)', 'aria-label': 'Keyboard help' }, '?');
const generateBtn = h('vscode-button', { secondary: true, title: 'Generate two responses with the trained model and pick the better one (g)' }, 'Generate pair (g)');
const header = h('header', { class: 'toolbar' },
  h('div', { class: 'title' }, fileName, progress),
  h('div', { class: 'filters', role: 'search' }, statusSel, problemSel, taskSel, search),
  h('div', { class: 'bulk', role: 'group', 'aria-label': 'Actions on the filtered records' },
    bulk('Accept all', 'acceptAll', 'Accept every record in the current filter (one undo step)'),
    bulk('Export accepted…', 'exportAccepted', 'Write the accepted records of the filter to a new file'),
    bulk('To preference file…', 'toPreference', 'Build prompt/chosen/rejected pairs from the filter into a new file'),
    generateBtn, helpBtn));
const listEl = h('div', { id: 'list', class: 'list', role: 'listbox', tabindex: 0, 'aria-label': 'Records' });
const detailEl = h('section', { id: 'detail', class: 'detail', 'aria-label': 'Record', 'aria-live': 'off' });
const notice = h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'assertive' });
const help = h('div', { id: 'help', class: 'help', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Keyboard shortcuts', hidden: true, tabindex: -1 },
  h('h2', {}, 'Keyboard'),
  h('table', {}, ...KEY_HELP.map((k) => h('tr', {}, h('th', { scope: 'row' }, h('kbd', {}, k.keys)), h('td', {}, k.does)))),
  h('p', { class: 'muted' }, 'Every change is an edit of the file: save with Ctrl+S, undo with u or Ctrl+Z.'));
app.append(header, h('main', { class: 'split' }, listEl, detailEl), notice, help);

const list = new VirtualList(listEl, (start, count) => send({ type: 'getRows', start, count }), (p) => go(p, true));
const panel = new RecordPanel(detailEl, {
  act: (action) => act(action),
  showInText: () => { if (panel.view) send({ type: 'showInText', line: panel.view.line }); },
});

// ---- behaviour ----
function act(action: AnnotatorAction): void {
  if (!panel.view || panel.view.kind === 'invalid') return;
  send({ type: 'action', line: panel.view.line, action });
}

function go(p: number, focusList = false): void {
  const count = state?.count ?? 0;
  position = Math.max(0, Math.min(p, count - 1));
  list.select(position);
  send({ type: 'getRecord', position });
  save();
  if (focusList) listEl.focus();
}

function setFilter(patch: Partial<AnnotatorFilter>): void {
  const next: AnnotatorFilter = { ...(state?.filter ?? {}), ...patch };
  for (const k of Object.keys(next) as Array<keyof AnnotatorFilter>) if (!next[k]) delete next[k];
  position = 0;
  send({ type: 'setFilter', filter: next });
}

function options(sel: Select, first: string, values: readonly string[], current: string | undefined): void {
  const want = ['', ...values];
  const have = [...sel.querySelectorAll('vscode-option')].map((o) => o.getAttribute('value') ?? '');
  const index = Math.max(0, want.indexOf(current ?? ''));
  if (want.join('\u0000') !== have.join('\u0000')) {
    clear(sel);
    for (const v of want) sel.append(h('vscode-option', { value: v }, v === '' ? first : v === 'any' && sel === problemSel ? 'With any problem' : v));
    // The element re-reads its options on slotchange, after this task; select only then or it shows blank.
    setTimeout(() => { sel.selectedIndex = index; });
  } else if (sel.selectedIndex !== index) sel.selectedIndex = index;
}

statusSel.addEventListener('change', () => setFilter({ status: (statusSel.value || undefined) as AnnotatorFilter['status'] }));
problemSel.addEventListener('change', () => setFilter({ problem: problemSel.value || undefined }));
taskSel.addEventListener('change', () => setFilter({ task: taskSel.value || undefined }));
let searchTimer: ReturnType<typeof setTimeout> | undefined;
search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => setFilter({ text: search.value || undefined }), 200);
});
search.addEventListener('keydown', (e: KeyboardEvent) => {
  if (e.key === 'Enter' || e.key === 'Escape') { e.preventDefault(); listEl.focus(); }
  else keepSelectAllInField(e);
});
helpBtn.addEventListener('click', () => toggleHelp(true));
generateBtn.addEventListener('click', () => { if (panel.view) send({ type: 'generatePair', line: panel.view.line }); });

function toggleHelp(open: boolean): void {
  help.hidden = !open;
  if (open) help.focus();
  else listEl.focus();
}

function showNotice(level: 'info' | 'error', message: string): void {
  notice.textContent = message;
  notice.className = `notice ${level}`;
}

function onState(s: Extract<HostToWebview, { type: 'state' }>): void {
  state = s;
  fileName.textContent = s.fileName;
  const p = s.progress;
  progress.textContent = `${p.reviewed} / ${p.records} reviewed (${p.accepted} accepted, ${p.rejected} rejected)${s.indexing ? ' · indexing…' : ''}${s.count !== p.records ? ` · ${s.count} shown` : ''}`;
  options(statusSel, 'All statuses', ['unreviewed', 'accepted', 'rejected'], s.filter.status);
  options(problemSel, 'Any or no problem', ['any', ...s.problemCodes], s.filter.problem);
  options(taskSel, 'All tasks', s.tasks, s.filter.task);
  // Records without a task field: nothing to filter by (and a one-option select renders blank).
  taskSel.hidden = s.tasks.length === 0 && !s.filter.task;
  if (document.activeElement !== search && search.value !== (s.filter.text ?? '')) search.value = s.filter.text ?? '';
  generateBtn.toggleAttribute('disabled', !s.canGenerate);
  generateBtn.title = s.canGenerate ? 'Generate two responses with the trained model and pick the better one (g)' : 'Needs a trained checkpoint (train a model first)';
  list.reset(s.count, s.version);
  go(position);
  save();
}

window.addEventListener('message', (event: MessageEvent) => {
  let m: HostToWebview;
  try {
    m = parseHostMessage(event.data);
  } catch (e) {
    showNotice('error', (e as Error).message);
    return;
  }
  switch (m.type) {
    case 'state': onState(m); break;
    case 'rows': list.receive(m.version, m.start, m.rows); break;
    case 'record':
      if (state && m.version === state.version && m.position === position) panel.show(m.view, state.count === 0 ? 'No records match the filter.' : '');
      break;
    case 'notice': showNotice(m.level, m.message); break;
  }
});

document.addEventListener('keydown', (e: KeyboardEvent) => {
  if (!help.hidden) {
    if (e.key === 'Escape' || e.key === '?') { e.preventDefault(); toggleHelp(false); }
    return;
  }
  if (isTyping(e.target) || panel.isEditing) return;
  if (e.ctrlKey || e.metaKey) return;
  const v = panel.view;
  if (e.altKey) {
    if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && panel.moveFocusedResponse(e.key === 'ArrowUp' ? -1 : 1)) e.preventDefault();
    return;
  }
  let handled = true;
  switch (e.key) {
    case 'j': case 'ArrowDown': go(position + 1); break;
    case 'k': case 'ArrowUp': go(position - 1); break;
    case 'Home': go(0); break;
    case 'End': go((state?.count ?? 1) - 1); break;
    case 'PageDown': go(position + list.pageSize); break;
    case 'PageUp': go(position - list.pageSize); break;
    case 'a': act({ kind: 'status', status: v?.review.status === 'accepted' ? null : 'accepted' }); break;
    case 'r': act({ kind: 'status', status: v?.review.status === 'rejected' ? null : 'rejected' }); break;
    case '1': case '2': case '3': case '4': case '5': {
      const n = Number(e.key);
      act({ kind: 'rate', rating: v?.review.rating === n ? null : n });
      break;
    }
    case '0': act({ kind: 'rate', rating: null }); break;
    case 's': act({ kind: 'swap' }); break;
    case 't': act({ kind: 'mark', mark: v?.review.mark === 'tie' ? null : 'tie' }); break;
    case 'b': act({ kind: 'mark', mark: v?.review.mark === 'both-bad' ? null : 'both-bad' }); break;
    case 'e': panel.editFocused(); break;
    case 'n': panel.focusNote(); break;
    case 'u': send({ type: 'undo' }); break;
    case 'U': send({ type: 'redo' }); break;
    case 'o': if (v) send({ type: 'showInText', line: v.line }); break;
    case 'g': if (v && state?.canGenerate) send({ type: 'generatePair', line: v.line }); break;
    case '/': search.focus(); break;
    case '?': toggleHelp(true); break;
    default: handled = false;
  }
  if (handled) e.preventDefault();
});

if (saved?.filter && Object.keys(saved.filter).length) send({ type: 'setFilter', filter: saved.filter });
send({ type: 'ready' });
listEl.focus();
