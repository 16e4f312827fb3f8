// The runs of the workspace, found by their run.json, kept fresh by a file watcher. Runs started in this
// window are added at once, before the trainer has written anything.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { readRunSummary, type RunSummary } from '../../core/runs/runFolder';

export class RunRegistry implements vscode.Disposable {
  private readonly runs = new Map<string, RunSummary>();
  private readonly extraDirs = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private refreshing: Promise<void> | undefined;
  private pending = false;

  constructor(private readonly memento: vscode.Memento) {
    for (const d of memento.get<string[]>('instructStudio.runDirs', [])) this.extraDirs.add(d);
    this.watcher = vscode.workspace.createFileSystemWatcher('**/{run.json,metrics.jsonl}');
    const onFile = (uri: vscode.Uri) => this.refreshOne(dirname(uri.fsPath));
    this.watcher.onDidCreate(onFile);
    this.watcher.onDidChange(onFile);
    this.watcher.onDidDelete(() => this.refresh());
  }

  list(): RunSummary[] {
    return [...this.runs.values()].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || a.name.localeCompare(b.name));
  }

  get(dir: string): RunSummary | undefined {
    return this.runs.get(dir);
  }

  /** A run outside the workspace (e.g. started with an absolute output folder) stays listed across reloads. */
  async add(dir: string): Promise<void> {
    if (!this.extraDirs.has(dir)) {
      this.extraDirs.add(dir);
      await this.memento.update('instructStudio.runDirs', [...this.extraDirs]);
    }
    await this.refreshOne(dir);
  }

  async forget(dir: string): Promise<void> {
    this.extraDirs.delete(dir);
    await this.memento.update('instructStudio.runDirs', [...this.extraDirs]);
    this.runs.delete(dir);
    this.changed.fire();
  }

  /** Rescans the workspace; concurrent calls collapse into one follow-up scan. */
  refresh(): Promise<void> {
    if (this.refreshing) { this.pending = true; return this.refreshing; }
    this.refreshing = this.scan().finally(() => {
      this.refreshing = undefined;
      if (this.pending) { this.pending = false; void this.refresh(); }
    });
    return this.refreshing;
  }

  private async scan(): Promise<void> {
    const found = await vscode.workspace.findFiles('**/run.json', '{**/node_modules/**,**/.git/**}', 500);
    const dirs = new Set([...found.map((u) => dirname(u.fsPath)), ...this.extraDirs]);
    const summaries = await Promise.all([...dirs].map((d) => readRunSummary(d)));
    this.runs.clear();
    for (const s of summaries) if (s.status !== 'unknown' || !s.error?.includes('ENOENT')) this.runs.set(s.dir, s);
    this.changed.fire();
  }

  private async refreshOne(dir: string): Promise<void> {
    const s = await readRunSummary(dir);
    if (s.status === 'unknown' && s.error?.includes('ENOENT') && !this.extraDirs.has(dir)) return;
    this.runs.set(dir, s);
    this.changed.fire();
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
