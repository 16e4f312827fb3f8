// The live loss chart panel: streams metrics.jsonl of the selected runs into the webview, at most a few
// batches a second, and comes back after a window reload through its serializer.
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { MetricsTail } from '../../core/runs/metricsTail';
import { parseMetricsChunk } from '../../core/runs/metrics';
import { rowsToCsv } from '../../core/runs/series';
import { isChartViewState, MAX_ROWS_PER_MESSAGE, validateChartToHost, type ChartRun, type HostToChart } from '../../shared/protocol/lossChart';
import { webviewHtml, webviewResourceRoots } from '../webviewHtml';
import type { RunRegistry } from './runRegistry';
import { outputChannel } from '../log';

export const LOSS_CHART_VIEW_TYPE = 'instructStudio.lossChart';
const POLL_MS = 500;

const BODY = `
<header>
  <vscode-button id="export-png" secondary>Export PNG</vscode-button>
  <vscode-button id="export-csv" secondary>Export CSV</vscode-button>
  <label>Smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" aria-label="EMA smoothing"><span id="smoothing-value"></span></label>
  <vscode-checkbox id="log-scale" label="Log scale"></vscode-checkbox>
  <label>X axis
    <vscode-single-select id="x-axis" aria-label="X axis">
      <vscode-option value="step">step</vscode-option>
      <vscode-option value="time">time</vscode-option>
      <vscode-option value="tokens">tokens</vscode-option>
    </vscode-single-select>
  </label>
</header>
<div id="runs" role="group" aria-label="Runs to show"></div>
<div id="status" role="status" aria-live="polite"></div>
<div id="chart-loss" class="chart"></div>
<div class="secondary">
  <div id="chart-em" class="chart"></div>
  <div id="chart-dpo-rewards" class="chart"></div>
  <div id="chart-dpo-accuracy" class="chart"></div>
  <div id="chart-lr" class="chart"></div>
  <div id="chart-grad" class="chart"></div>
  <div id="chart-speed" class="chart"></div>
</div>`;

export class LossChartPanel implements vscode.Disposable {
  private static current: LossChartPanel | undefined;
  private selected: string[] = [];
  private readonly tails = new Map<string, MetricsTail>();
  private timer: NodeJS.Timeout | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the chart (creating it if needed) with `runDir` as the primary run, or the newest run. */
  static show(extensionUri: vscode.Uri, registry: RunRegistry, runDirs?: string[]): LossChartPanel {
    if (!LossChartPanel.current) {
      const panel = vscode.window.createWebviewPanel(LOSS_CHART_VIEW_TYPE, 'Loss Chart', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: webviewResourceRoots(extensionUri),
      });
      LossChartPanel.current = new LossChartPanel(panel, extensionUri, registry, []);
    } else LossChartPanel.current.panel.reveal(undefined, true);
    const chart = LossChartPanel.current;
    if (runDirs?.length) chart.select(runDirs);
    else if (chart.selected.length === 0) chart.select(registry.list().slice(0, 1).map((r) => r.dir));
    return chart;
  }

  static registerSerializer(extensionUri: vscode.Uri, registry: RunRegistry): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(LOSS_CHART_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
        LossChartPanel.current?.dispose();
        LossChartPanel.current = new LossChartPanel(panel, extensionUri, registry, isChartViewState(state) ? state.selected : []);
      },
    });
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly registry: RunRegistry, selected: string[]) {
    this.selected = selected;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'loss-chart.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { title: 'Loss Chart', bundle: 'lossChart', css: true, body: BODY });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      registry.onDidChange(() => this.postRuns()),
    );
  }

  select(runDirs: string[]): void {
    this.selected = [...new Set(runDirs)];
    for (const d of [...this.tails.keys()]) if (!this.selected.includes(d)) this.tails.delete(d);
    if (this.ready) { this.postRuns(); void this.pump(true); }
  }

  private chartRuns(): ChartRun[] {
    const runs = this.registry.list().map((r) => ({ id: r.dir, label: r.name, status: r.status, stage: r.stage }));
    for (const d of this.selected) if (!runs.some((r) => r.id === d)) runs.push({ id: d, label: d.split(/[\\/]/).pop() ?? d, status: 'unknown', stage: undefined });
    return runs;
  }

  private post(m: HostToChart): void {
    void this.panel.webview.postMessage(m);
  }

  private postRuns(): void {
    if (this.ready) this.post({ type: 'runs', runs: this.chartRuns(), selected: this.selected });
  }

  /** Sends new rows of every selected run; `fresh` re-sends everything (after the webview (re)loads). */
  private async pump(fresh = false): Promise<void> {
    for (const dir of this.selected) {
      let tail = this.tails.get(dir);
      let first = fresh || !tail;
      if (!tail || first) { tail = new MetricsTail(join(dir, 'metrics.jsonl')); this.tails.set(dir, tail); }
      try {
        const { rows, reset } = await tail.read();
        if (rows.length === 0 && !reset && !first) continue;
        for (let i = 0; i < rows.length || first; i += MAX_ROWS_PER_MESSAGE) {
          this.post({ type: 'rows', runId: dir, rows: rows.slice(i, i + MAX_ROWS_PER_MESSAGE), reset: (first || reset) && i === 0 });
          first = false;
        }
      } catch (e) {
        outputChannel().warn(`loss chart: cannot read ${join(dir, 'metrics.jsonl')}: ${(e as Error).message}`);
      }
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const r = validateChartToHost(raw);
    if (!r.ok) { outputChannel().warn(`loss chart: ignored a message from the webview: ${r.reason}`); return; }
    const m = r.message;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.postRuns();
        await this.pump(true);
        this.timer ??= setInterval(() => void this.pump(), POLL_MS);
        break;
      case 'select':
        this.select(m.runIds);
        break;
      case 'exportCsv':
        await this.exportCsv(m.runId);
        break;
      case 'exportPng':
        await this.exportPng(m.dataUrl);
        break;
    }
  }

  private async exportCsv(runDir: string): Promise<void> {
    const text = await fs.readFile(join(runDir, 'metrics.jsonl')).catch(() => undefined);
    if (!text) { void vscode.window.showWarningMessage(`No metrics to export yet in ${runDir}.`); return; }
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(join(runDir, 'metrics.csv')), filters: { CSV: ['csv'] } });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(rowsToCsv(parseMetricsChunk(text, true).rows)));
    void vscode.window.showInformationMessage(`Metrics exported to ${target.fsPath}.`);
  }

  private async exportPng(dataUrl: string): Promise<void> {
    const primary = this.selected[0];
    const target = await vscode.window.showSaveDialog({
      defaultUri: primary ? vscode.Uri.file(join(primary, 'loss-chart.png')) : undefined,
      filters: { PNG: ['png'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64'));
    void vscode.window.showInformationMessage(`Chart saved to ${target.fsPath}.`);
  }

  dispose(): void {
    if (LossChartPanel.current === this) LossChartPanel.current = undefined;
    if (this.timer) clearInterval(this.timer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
