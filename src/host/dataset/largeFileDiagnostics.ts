// Diagnostics for `.jsonl` files too big for VS Code to hand to extensions (over 50 MB the editor does not sync the
// buffer, so no document events arrive). Such files are validated from disk by the worker when their tab opens and
// again when the file changes on disk; unsaved edits in them cannot be seen, and the status bar says so.
import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ValidationSummary } from '../../shared/protocol/datasetWorker';
import { toDiagnostic } from './problemDiagnostics';
import { datasetOptions } from './settings';
import { MAX_DIAGNOSTICS } from './datasetDiagnostics';
import { WorkerCancelledError, type DatasetWorkerClient } from './workerClient';

/** VS Code's limit for syncing a buffer to the extension host. */
export const SYNC_LIMIT_BYTES = 50 * 1024 * 1024;

interface Watched {
  watcher: vscode.FileSystemWatcher;
  timer?: NodeJS.Timeout;
  size: number;
}

export class LargeFileDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('instruct-studio-large-files');
  private readonly watched = new Map<string, Watched>();
  private readonly status = vscode.window.createStatusBarItem('instructStudio.largeDataset', vscode.StatusBarAlignment.Left, 0);
  private readonly disposables: vscode.Disposable[] = [];
  private tabTimer?: NodeJS.Timeout;

  constructor(
    private readonly worker: DatasetWorkerClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status.name = 'Instruct Studio: large dataset';
    this.disposables.push(
      this.collection,
      this.status,
      // Tab events can precede the document's own open event: look once things settled.
      vscode.window.tabGroups.onDidChangeTabs(() => this.scheduleTabScan()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.scheduleTabScan()),
    );
    this.scheduleTabScan();
  }

  /** Re-validates every watched file (settings changed). */
  revalidateAll(): void {
    for (const [key, w] of this.watched) this.scheduleValidation(vscode.Uri.parse(key), w, 0);
  }

  isLarge(uri: vscode.Uri): boolean {
    return this.watched.has(uri.toString());
  }

  private scheduleTabScan(): void {
    clearTimeout(this.tabTimer);
    this.tabTimer = setTimeout(() => void this.scanTabs(), 300);
  }

  private async scanTabs(): Promise<void> {
    const open = new Map<string, vscode.Uri>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
        if (uri?.scheme === 'file' && uri.path.toLowerCase().endsWith('.jsonl')) open.set(uri.toString(), uri);
      }
    }
    const synced = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const [key, uri] of open) {
      if (synced.has(key) || this.watched.has(key)) continue;
      const size = await stat(uri.fsPath).then((s) => s.size, () => 0);
      if (size < SYNC_LIMIT_BYTES || this.watched.has(key)) continue;
      this.watch(uri, size);
    }
    for (const key of [...this.watched.keys()]) if (!open.has(key)) this.unwatch(key);
    this.updateStatus();
  }

  private watch(uri: vscode.Uri, size: number): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(uri.fsPath)), basename(uri.fsPath)));
    const w: Watched = { watcher, size };
    watcher.onDidChange(() => this.scheduleValidation(uri, w, 1000));
    watcher.onDidCreate(() => this.scheduleValidation(uri, w, 1000));
    watcher.onDidDelete(() => this.collection.delete(uri));
    this.watched.set(uri.toString(), w);
    this.log.info(`${uri.fsPath} is ${(size / 1024 / 1024).toFixed(0)} MB: VS Code does not pass files over 50 MB to extensions, so it is validated from disk (the saved file; unsaved edits are not seen)`);
    this.scheduleValidation(uri, w, 0);
  }

  private unwatch(key: string): void {
    const w = this.watched.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    w.watcher.dispose();
    this.watched.delete(key);
    this.collection.delete(vscode.Uri.parse(key));
  }

  private scheduleValidation(uri: vscode.Uri, w: Watched, delay: number): void {
    clearTimeout(w.timer);
    w.timer = setTimeout(() => void this.validate(uri, w), delay);
  }

  /** Validates a watched file now (the Validate command); undefined when it is not one of ours. */
  async validateNow(uri: vscode.Uri): Promise<ValidationSummary | undefined> {
    const w = this.watched.get(uri.toString());
    return w ? this.validate(uri, w, true) : undefined;
  }

  private async validate(uri: vscode.Uri, w: Watched, rethrow = false): Promise<ValidationSummary | undefined> {
    const started = Date.now();
    try {
      const { summary } = await this.worker.request({
        type: 'validateFile', path: uri.fsPath, options: datasetOptions(uri), maxProblems: MAX_DIAGNOSTICS,
      });
      if (this.watched.get(uri.toString()) !== w) return summary;
      if (summary.format === 'unknown' && !rethrow) {
        this.collection.delete(uri);
        this.log.info(`${uri.fsPath}: no record is instruction data; no diagnostics shown`);
        return summary;
      }
      this.collection.set(uri, summary.problems.map((p) => toDiagnostic(p, () => undefined)));
      this.log.info(`validated ${uri.fsPath} from disk in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary.records} records, ${summary.errors} errors, ${summary.warnings} warnings${summary.truncated ? ` (first ${summary.problems.length} shown)` : ''}`);
      return summary;
    } catch (e) {
      if (rethrow) throw e;
      if (!(e instanceof WorkerCancelledError)) this.log.error(`validating ${uri.fsPath} from disk: ${(e as Error).message}`);
      return undefined;
    }
  }

  private updateStatus(): void {
    if (this.watched.size === 0) { this.status.hide(); return; }
    this.status.text = `$(database) ${this.watched.size} large dataset${this.watched.size > 1 ? 's' : ''} validated from disk`;
    this.status.tooltip = 'VS Code does not pass files over 50 MB to extensions. Instruct Studio validates them from disk '
      + 'when opened and when saved; unsaved edits are not checked until you save.';
    this.status.command = 'instructStudio.showLog';
    this.status.show();
  }

  dispose(): void {
    clearTimeout(this.tabTimer);
    for (const key of [...this.watched.keys()]) this.unwatch(key);
    for (const d of this.disposables) d.dispose();
  }
}
