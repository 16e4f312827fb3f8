// The prompt-template editor webview: Monaco on the left, the live preview of a real record on the right. It owns
// no data: the template document lives in the host (edits go there as whole texts), and previews come back from
// the host's renderer. Every message is validated on receipt.
import './cspStyles';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import './style.css';
import {
  isTemplateEditorState,
  validateHostToEditor,
  type EditorToHost,
  type HostToEditor,
  type TemplateEditorState,
} from '../../src/shared/protocol/templateEditor';
import { minimalReplace } from '../../src/host/templateEditor/minimalEdit';
import { registerCompletions, type CompletionData } from './completions';
import { h } from './dom';
import { applyWorkbenchTheme, createEditor, installWorker, monaco, registerJinja } from './monacoEditor';
import { renderFailure, renderSummary, renderTokens, renderWarnings } from './preview';

interface VsCodeApi {
  postMessage(m: EditorToHost): void;
  getState(): unknown;
  setState(s: TemplateEditorState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
function post(m: EditorToHost): void {
  vscode.postMessage(m);
}

const EDIT_DEBOUNCE_MS = 60;
const app = document.getElementById('app')!;
const saved = vscode.getState();
const state: Partial<TemplateEditorState> = isTemplateEditorState(saved) ? { ...saved } : {};

// Diagnostics a user (or a test) can read off the page: whether Monaco's worker runs, and what the CSP refused.
installWorker(app.dataset.worker ?? '', (s) => {
  document.body.dataset.editorWorker = s;
  if (s !== 'running') post({ type: 'problem', message: `Monaco's editor worker did not start (${s}); the editor runs it on the page instead` });
});
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const what = `${e.effectiveDirective} refused ${e.blockedURI || 'inline content'}${e.sourceFile ? ` (${e.sourceFile.split('/').pop()}:${e.lineNumber})` : ''}`;
  violations.push(what);
  document.body.dataset.cspViolations = String(violations.length);
  if (violations.length <= 5) post({ type: 'problem', message: `Content Security Policy: ${what}` });
});
registerJinja();
applyWorkbenchTheme();
new MutationObserver(applyWorkbenchTheme).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- layout --------------------------------------------------------------------------------------

const templateLabel = h('span', { id: 'template-label' });
const dirtyMark = h('span', { id: 'dirty', title: 'unsaved changes', hidden: '' }, '●');
const presetSelect = h('vscode-single-select', { id: 'preset', 'aria-label': 'Preset' }) as HTMLElement & { value: string };
const presetButton = h('vscode-button', { id: 'use-preset', secondary: '', title: 'Replace the template with this preset (undo with Ctrl+Z)' }, 'Use preset');
const openButton = h('vscode-button', { id: 'open-template', secondary: '', title: 'Open another template file or start from a preset' }, 'Open…');
const saveButton = h('vscode-button', { id: 'save', title: 'Save the template file (Ctrl+S)' }, 'Save');
const fileError = h('div', { id: 'file-error', role: 'alert', hidden: '' });
const editorHost = h('div', { id: 'editor' });

const datasetLabel = h('span', { id: 'dataset-label' }, 'no dataset');
const chooseDataset = h('vscode-button', { id: 'choose-dataset', secondary: '' }, 'Dataset…');
const prev = h('vscode-button', { id: 'prev-record', secondary: '', title: 'Previous record (Alt+Up)', 'aria-label': 'Previous record' }, '◀');
const next = h('vscode-button', { id: 'next-record', secondary: '', title: 'Next record (Alt+Down)', 'aria-label': 'Next record' }, '▶');
const recordInput = h('input', { id: 'record-number', type: 'number', min: '1', value: '1', 'aria-label': 'Record number' });
const recordTotal = h('span', { id: 'record-total' }, '/ 0');
const recordLine = h('span', { id: 'record-line' });
const summary = h('div', { id: 'summary-slot' });
const legend = h(
  'div',
  { id: 'legend' },
  h('span', { class: 'tok trained' }, 'trained'),
  h('span', { class: 'tok prompt' }, 'prompt (not trained)'),
  h('span', { class: 'tok special' }, 'special token'),
);
const warnings = h('div', { id: 'warnings-slot' });
const rendered = h('pre', { id: 'rendered', 'aria-label': 'Rendered record, token by token' });
const failure = h('div', { id: 'failure-slot' });

app.append(
  h('header', { id: 'toolbar' }, templateLabel, dirtyMark, h('span', { class: 'spacer' }), presetSelect, presetButton, openButton, saveButton),
  fileError,
  h(
    'main',
    {},
    h('section', { id: 'editor-pane', 'aria-label': 'Template' }, editorHost),
    h(
      'section',
      { id: 'preview-pane', 'aria-label': 'Preview' },
      h('div', { id: 'record-bar' }, chooseDataset, datasetLabel, prev, recordInput, recordTotal, next, recordLine),
      summary,
      legend,
      warnings,
      failure,
      rendered,
    ),
  ),
);

// ---- editor --------------------------------------------------------------------------------------

const editor = createEditor(editorHost, '');
const model = editor.getModel()!;
let remoteUpdate = false;
let editTimer: ReturnType<typeof setTimeout> | undefined;
let completion: CompletionData = { variables: [], recordFields: [] };
let datasetCount = 0;
registerCompletions(() => completion);

function persist(): void {
  if (state.templateUri) vscode.setState({ templateUri: state.templateUri, datasetUri: state.datasetUri, recordIndex: state.recordIndex ?? 0 });
}

model.onDidChangeContent(() => {
  if (remoteUpdate) return;
  clearTimeout(editTimer);
  editTimer = setTimeout(() => post({ type: 'edit', source: model.getValue() }), EDIT_DEBOUNCE_MS);
});

/** Brings Monaco to `source` as one undoable edit of the changed part, keeping cursor and scroll. */
function setSource(source: string): void {
  const current = model.getValue();
  const r = minimalReplace(current, source);
  if (!r) return;
  const start = model.getPositionAt(r.start);
  const end = model.getPositionAt(r.end);
  remoteUpdate = true;
  try {
    model.pushEditOperations([], [{ range: monaco.Range.fromPositions(start, end), text: r.text }], () => null);
  } finally {
    remoteUpdate = false;
  }
}

editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => flushAndSave());
editor.addCommand(monaco.KeyMod.Alt | monaco.KeyCode.DownArrow, () => step(1));
editor.addCommand(monaco.KeyMod.Alt | monaco.KeyCode.UpArrow, () => step(-1));

function flushAndSave(): void {
  if (editTimer !== undefined) {
    clearTimeout(editTimer);
    editTimer = undefined;
    post({ type: 'edit', source: model.getValue() });
  }
  post({ type: 'save' });
}

// ---- records -------------------------------------------------------------------------------------

function selectRecord(index: number): void {
  if (datasetCount === 0) return;
  const i = Math.max(0, Math.min(datasetCount - 1, index));
  state.recordIndex = i;
  recordInput.value = String(i + 1);
  persist();
  post({ type: 'selectRecord', index: i });
}

function step(delta: number): void {
  selectRecord((state.recordIndex ?? 0) + delta);
}

prev.addEventListener('click', () => step(-1));
next.addEventListener('click', () => step(1));
recordInput.addEventListener('change', () => {
  const n = Number(recordInput.value);
  if (Number.isInteger(n)) selectRecord(n - 1);
});
chooseDataset.addEventListener('click', () => post({ type: 'chooseDataset' }));
openButton.addEventListener('click', () => post({ type: 'chooseTemplate' }));
saveButton.addEventListener('click', () => flushAndSave());
presetButton.addEventListener('click', () => {
  if (presetSelect.value) post({ type: 'applyPreset', name: presetSelect.value });
});
document.addEventListener('keydown', (e) => {
  // outside Monaco (which has its own bindings): Ctrl+S saves, Alt+Up/Down step through records
  if (editor.hasTextFocus()) return;
  if ((e.ctrlKey || e.metaKey) && e.key === 's') { e.preventDefault(); flushAndSave(); }
  else if (e.altKey && e.key === 'ArrowDown') step(1);
  else if (e.altKey && e.key === 'ArrowUp') step(-1);
});

// ---- messages ------------------------------------------------------------------------------------

function showPreview(m: HostToEditor & { type: 'preview' }): void {
  // A preview of text Monaco no longer holds would mark errors at the wrong place: the next one is on its way.
  if (m.source !== model.getValue()) return;
  completion = { variables: m.variables, recordFields: m.recordFields };
  if (datasetCount > 0) {
    state.recordIndex = m.recordIndex;
    recordInput.value = String(m.recordIndex + 1);
    recordLine.textContent = m.recordLine ? `line ${m.recordLine}` : '';
  }
  const body = m.body;
  summary.replaceChildren();
  warnings.replaceChildren();
  failure.replaceChildren();
  if (body.ok) {
    summary.append(renderSummary(body));
    warnings.append(renderWarnings(body));
    rendered.replaceChildren(renderTokens(body.tokens));
    rendered.classList.remove('stale');
    monaco.editor.setModelMarkers(model, 'template', []);
    return;
  }
  failure.append(renderFailure(body));
  // the last good rendering stays, dimmed, so the view does not jump while a tag is half typed
  rendered.classList.add('stale');
  if (body.stage === 'no-record') rendered.replaceChildren();
  const markers: monaco.editor.IMarkerData[] = [];
  if (body.stage === 'template') {
    const line = Math.max(1, Math.min(body.line, model.getLineCount()));
    const column = Math.max(1, body.column);
    const word = model.getWordAtPosition({ lineNumber: line, column });
    markers.push({
      severity: monaco.MarkerSeverity.Error,
      message: body.message,
      startLineNumber: line,
      startColumn: column,
      endLineNumber: line,
      endColumn: word ? word.endColumn : Math.min(column + 2, model.getLineMaxColumn(line)),
      source: 'template',
    });
  }
  monaco.editor.setModelMarkers(model, 'template', markers);
}

function onMessage(m: HostToEditor): void {
  switch (m.type) {
    case 'init':
      state.templateUri = m.template.uri;
      persist();
      templateLabel.textContent = m.template.kind === 'tokenizer-config' ? `${m.template.label} › chat_template` : m.template.label;
      templateLabel.title = m.template.uri;
      presetSelect.replaceChildren(...m.presets.map((p) => h('vscode-option', { value: p.name, description: p.description }, p.name)));
      remoteUpdate = true;
      try {
        model.setValue(m.source);
      } finally {
        remoteUpdate = false;
      }
      editor.updateOptions({ readOnly: m.readOnly });
      editor.focus();
      break;
    case 'source':
      setSource(m.source);
      break;
    case 'dirty':
      dirtyMark.hidden = !m.dirty;
      break;
    case 'fileError':
      fileError.hidden = m.message === null;
      fileError.textContent = m.message ?? '';
      editor.updateOptions({ readOnly: m.message !== null });
      break;
    case 'dataset':
      datasetCount = m.dataset?.count ?? 0;
      datasetLabel.textContent = m.dataset ? m.dataset.label : 'no dataset';
      datasetLabel.title = m.dataset?.uri ?? '';
      recordTotal.textContent = `/ ${datasetCount}`;
      recordInput.max = String(Math.max(1, datasetCount));
      state.datasetUri = m.dataset?.uri;
      persist();
      break;
    case 'preview':
      showPreview(m);
      break;
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const r = validateHostToEditor(e.data);
  if (!r.ok) {
    console.warn(`template editor: ignored a message from the host: ${r.reason}`);
    return;
  }
  onMessage(r.message);
});

post({ type: 'ready' });
