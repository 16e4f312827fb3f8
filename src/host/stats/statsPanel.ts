// "Instruct Studio: Show Dataset Statistics": one webview panel per dataset. Statistics are computed by the
// worker (of the unsaved buffer when the file is open and modified, else of the file on disk) and recomputed on
// save and on Refresh. A serializer brings panels back after a window reload.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { parseStatsViewState, parseStatsViewToHost, type HostToStatsView } from '../../shared/protocol/datasetStats';
import type { DatasetServices } from '../dataset/services';
import { readDocumentContent } from '../dataset/documentContent';
import { datasetOptions } from '../dataset/settings';
import { WorkerCancelledError } from '../dataset/workerClient';
import { errorMessage } from '../log';
import { statsHtml, statsResourceRoots } from './statsHtml';

export const STATS_VIEW_TYPE = 'instructStudio.datasetStats';

export class DatasetStatsPanel implements vscode.Disposable {
  private static readonly open = new Map<string, DatasetStatsPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private generation = 0;

  static show(s: DatasetServices, uri: vscode.Uri): DatasetStatsPanel {
    const existing = DatasetStatsPanel.open.get(uri.toString());
    if (existing) {
      existing.panel.reveal();
      void existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(STATS_VIEW_TYPE, title(uri), vscode.ViewColumn.Beside, panelOptions(s.context.extensionUri));
    return new DatasetStatsPanel(s, panel, uri);
  }

  static serializer(s: DatasetServices): vscode.WebviewPanelSerializer {
    return {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        const saved = parseStatsViewState(state);
        if (!saved) {
          // Not ours to restore (or state from another version): close instead of showing an empty page.
          panel.dispose();
          return;
        }
        panel.webview.options = panelOptions(s.context.extensionUri);
        new DatasetStatsPanel(s, panel, vscode.Uri.parse(saved.uri));
      },
    };
  }

  private constructor(
    private readonly s: DatasetServices,
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
  ) {
    DatasetStatsPanel.open.set(uri.toString(), this);
    panel.title = title(uri);
    panel.iconPath = {
      light: vscode.Uri.joinPath(s.context.extensionUri, 'media', 'icons', 'stats-light.svg'),
      dark: vscode.Uri.joinPath(s.context.extensionUri, 'media', 'icons', 'stats-dark.svg'),
    };
    panel.webview.html = statsHtml(panel.webview, s.context.extensionUri, uri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      vscode.workspace.onDidSaveTextDocument((d) => { if (d.uri.toString() === uri.toString()) void this.refresh(); }),
    );
  }

  private onMessage(raw: unknown): void {
    let msg;
    try {
      msg = parseStatsViewToHost(raw);
    } catch (e) {
      this.s.log.warn(errorMessage(e));
      return;
    }
    switch (msg.type) {
      case 'ready':
      case 'refresh':
        void this.refresh();
        break;
      case 'openFile':
        void vscode.window.showTextDocument(this.uri, { viewColumn: vscode.ViewColumn.One, preview: false });
        break;
    }
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const file = this.uri.fsPath;
    this.post({ type: 'loading', file });
    try {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.uri.toString());
      const content = doc?.isDirty || this.uri.scheme === 'untitled' ? await readDocumentContent(doc!, () => generation === this.generation) : undefined;
      if (generation !== this.generation) return;
      const started = Date.now();
      const { stats } = await this.s.batchWorker.request({ type: 'stats', file, ...(content ? { content } : {}), options: datasetOptions(this.uri) });
      if (generation !== this.generation) return;
      this.s.log.info(`statistics of ${file}: ${stats.records} records in ${Date.now() - started} ms`);
      this.post({ type: 'stats', file, stats });
    } catch (e) {
      if (e instanceof WorkerCancelledError || generation !== this.generation) return;
      this.s.log.warn(`statistics of ${file}: ${errorMessage(e)}`);
      this.post({ type: 'error', file, message: `Could not compute statistics: ${errorMessage(e)}` });
    }
  }

  private post(message: HostToStatsView): void {
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.generation++;
    if (DatasetStatsPanel.open.get(this.uri.toString()) === this) DatasetStatsPanel.open.delete(this.uri.toString());
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
  }
}

function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: statsResourceRoots(extensionUri), enableFindWidget: true };
}

function title(uri: vscode.Uri): string {
  return `Statistics: ${basename(uri.path)}`;
}
