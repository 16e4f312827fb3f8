// The "Runs" tree in the Instruct Studio activity-bar container: every run of the workspace with its
// status, dataset, model, best eval loss and duration; actions hang off each item's context menu.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { formatDuration, type RunSummary } from '../../core/runs/runFolder';
import { evaluationSummary } from '../../core/runs/evaluationSummary';
import type { RunRegistry } from './runRegistry';

const ICONS: Record<RunSummary['status'], [string, string | undefined]> = {
  running: ['sync~spin', 'charts.blue'],
  finished: ['pass', 'charts.green'],
  stopped: ['debug-pause', 'charts.yellow'],
  failed: ['error', 'charts.red'],
  unknown: ['question', undefined],
};

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunSummary) {
    super(run.name, vscode.TreeItemCollapsibleState.None);
    const [icon, color] = ICONS[run.status];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const bits: string[] = [run.status];
    if (run.bestEvalLoss !== undefined) bits.push(`eval ${run.bestEvalLoss.toFixed(3)}`);
    if (run.lastExactMatch !== undefined) bits.push(`EM ${(run.lastExactMatch * 100).toFixed(0)}%`);
    if (run.durationSeconds !== undefined) bits.push(formatDuration(run.durationSeconds));
    const summary = evaluationSummary(run.evaluation);
    if (summary) bits.push(summary);
    this.description = bits.join(' · ');
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${run.name}** — ${run.status}\n\n`);
    const row = (k: string, v: string | number | undefined) => { if (v !== undefined && v !== '') md.appendMarkdown(`- ${k}: \`${String(v)}\`\n`); };
    row('folder', run.dir);
    row('stage', run.stage);
    row('dataset', run.dataset);
    row('model', run.model);
    row('last step', run.lastStep);
    row('best eval loss', run.bestEvalLoss?.toFixed(4));
    row('duration', formatDuration(run.durationSeconds));
    row('started', run.startedAt);
    const ev = run.evaluation;
    if (ev) {
      const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : undefined);
      row('last evaluation', ev.file);
      if (ev.kind === 'preference') {
        row('preference pairs', ev.n);
        row('reward accuracy', pct(ev.rewardAccuracy));
        row('reward margin', ev.rewardMargin.toFixed(4));
        row('DPO loss (base)', `${ev.dpoLoss.toFixed(4)} (${ev.baseDpoLoss.toFixed(4)})`);
      } else {
        row('evaluated records', ev.n);
        row('exact match', pct(ev.exactMatch));
        row('token F1', pct(ev.tokenF1));
        if (ev.winRate) row('win rate vs base', `${pct(ev.winRate.win_rate)} (${ev.winRate.wins} won, ${ev.winRate.losses} lost, ${ev.winRate.ties} tied of ${ev.winRate.n})`);
      }
    }
    if (run.error) md.appendMarkdown(`\n$(warning) ${run.error}\n`);
    this.tooltip = md;
    this.resourceUri = vscode.Uri.file(run.dir);
    // contextValue drives which actions the menu offers (package.json `when` clauses match on it).
    this.contextValue = `run.${run.status}${run.hasCheckpoint && run.status !== 'running' && run.status !== 'finished' ? '.resumable' : ''}${run.hasCheckpoint ? '.hasCheckpoint' : ''}`;
    this.command = { command: 'instructStudio.showLossChart', title: 'Show Loss Chart', arguments: [this] };
  }
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly registry: RunRegistry) {
    registry.onDidChange(() => this.changed.fire());
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  getChildren(): RunItem[] {
    return this.registry.list().map((r) => new RunItem(r));
  }
}

/** The run folder an action applies to: a tree item, a folder URI from the explorer, or a pick. */
export async function resolveRunDir(registry: RunRegistry, arg: unknown, placeHolder: string): Promise<string | undefined> {
  if (arg instanceof RunItem) return arg.run.dir;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const runs = registry.list();
  if (runs.length === 0) { void vscode.window.showInformationMessage('No training runs in this workspace yet. Start one with "Instruct Studio: Start Training".'); return undefined; }
  const pick = await vscode.window.showQuickPick(runs.map((r) => ({ label: r.name, description: `${r.status}${r.model ? ` · ${r.model}` : ''}`, detail: r.dir, dir: r.dir })), { placeHolder });
  return pick?.dir;
}

export function runLabel(dir: string): string {
  return basename(dir);
}
