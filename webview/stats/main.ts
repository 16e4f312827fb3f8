// The dataset statistics webview. It holds no data of its own: the host computes the statistics in its worker and
// sends them; every message is validated before it is shown. The dataset's URI is kept with setState so the
// panel comes back after a window reload.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import 'uplot/dist/uPlot.min.css';
import './stats.css';
import { parseHostToStatsView, type HostToStatsView, type StatsViewState, type StatsViewToHost } from '../../src/shared/protocol/datasetStats';
import { h } from './dom';
import { renderStats, type Rendered } from './render';
import { onThemeChange } from './theme';

interface VsCodeApi {
  postMessage(message: StatsViewToHost): void;
  getState(): unknown;
  setState(state: StatsViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const uri = app.dataset.uri;
if (uri) vscode.setState({ uri });

let rendered: Rendered | undefined;

function header(file: string, badge?: string): HTMLElement {
  const name = file.split(/[\\/]/).pop() ?? file;
  const refresh = h('vscode-button', { id: 'refresh', secondary: '' }, 'Refresh');
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  const open = h('vscode-button', { id: 'open', secondary: '' }, 'Open dataset');
  open.addEventListener('click', () => vscode.postMessage({ type: 'openFile' }));
  return h('header', {},
    h('div', { class: 'title' }, h('h1', {}, name), badge ? h('vscode-badge', {}, badge) : null, h('div', { class: 'path', title: file }, file)),
    h('div', { class: 'actions' }, refresh, open),
  );
}

function show(message: HostToStatsView): void {
  rendered?.charts.forEach((c) => c.destroy());
  rendered = undefined;
  app.replaceChildren();
  switch (message.type) {
    case 'loading':
      app.append(header(message.file), h('div', { class: 'loading' }, h('vscode-progress-ring', {}), h('span', {}, 'Computing statistics…')));
      break;
    case 'error':
      app.append(header(message.file), h('div', { class: 'message error', role: 'alert' }, message.message));
      break;
    case 'stats':
      rendered = renderStats(message.stats);
      app.append(header(message.file, message.stats.format), rendered.element);
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  let message: HostToStatsView;
  try {
    message = parseHostToStatsView(event.data);
  } catch (e) {
    // A malformed message is dropped and said so on the page; it never half-renders.
    console.error(e);
    app.append(h('div', { class: 'message error', role: 'alert' }, `Ignored a malformed message: ${(e as Error).message}`));
    return;
  }
  show(message);
});

onThemeChange(() => rendered?.charts.forEach((c) => c.redraw()));
vscode.postMessage({ type: 'ready' });
