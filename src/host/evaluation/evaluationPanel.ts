// The evaluation side panel: one saved evaluation (and optionally a second to compare), its metric table, per-task
// chart, seen/unseen, forgetting and the generations side by side. Comes back after a reload through its serializer.
import * as vscode from 'vscode';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { isEvaluationViewState, isPreferenceReport, validateEvaluationToHost, type HostToEvaluation, type PanelEvaluation } from '../../shared/protocol/evaluation';
import { webviewHtml, webviewResourceRoots } from '../webviewHtml';
import { errorMessage, outputChannel } from '../log';
import { loadEvaluation } from './loadEvaluation';
import { failureRecord, type FailureFormat } from './failureRecords';

export const EVALUATION_VIEW_TYPE = 'instructStudio.evaluation';

const BODY = `
<header>
  <h1 id="title">Evaluation</h1>
  <div class="actions">
    <vscode-button id="compare" secondary>Compare with…</vscode-button>
    <vscode-button id="clear-compare" secondary hidden>Stop comparing</vscode-button>
  </div>
</header>
<div id="error" role="alert" hidden></div>
<p id="meta" class="meta"></p>
<section aria-labelledby="metrics-h"><h2 id="metrics-h">Metrics</h2><div id="metrics"></div></section>
<section class="row" id="breakdown">
  <div aria-labelledby="tasks-h"><h2 id="tasks-h">Per task</h2><div id="tasks"></div></div>
  <div aria-labelledby="split-h"><h2 id="split-h">Seen vs unseen · forgetting</h2><div id="split"></div><div id="forgetting"></div></div>
</section>
<section aria-labelledby="gen-h" id="gen-section">
  <h2 id="gen-h">Generations</h2>
  <div class="toolbar">
    <label>Sort by <vscode-single-select id="sort" aria-label="Sort generations by">
      <vscode-option value="token_f1">token F1 (worst first)</vscode-option>
      <vscode-option value="rouge_l">ROUGE-L (worst first)</vscode-option>
      <vscode-option value="exact_match">exact match (failures first)</vscode-option>
      <vscode-option value="bleu">BLEU (worst first)</vscode-option>
      <vscode-option value="loss">loss (highest first)</vscode-option>
      <vscode-option value="delta">change vs base (regressions first)</vscode-option>
      <vscode-option value="line">file order</vscode-option>
    </vscode-single-select></label>
    <vscode-textfield id="filter" placeholder="Filter by task or text" aria-label="Filter generations"></vscode-textfield>
    <vscode-button id="send-preference" secondary disabled>Send selected as preference pairs</vscode-button>
    <vscode-button id="send-instruction" secondary disabled>Send selected as records to fix</vscode-button>
  </div>
  <div id="gen-status" role="status" aria-live="polite"></div>
  <div id="generations" role="list"></div>
</section>`;

export class EvaluationPanel implements vscode.Disposable {
  private static current: EvaluationPanel | undefined;
  private primary: PanelEvaluation | null = null;
  private other: PanelEvaluation | null = null;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  static async show(extensionUri: vscode.Uri, reportPath: string): Promise<EvaluationPanel> {
    if (!EvaluationPanel.current) {
      const panel = vscode.window.createWebviewPanel(EVALUATION_VIEW_TYPE, 'Evaluation', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
        enableScripts: true, retainContextWhenHidden: false, localResourceRoots: webviewResourceRoots(extensionUri),
      });
      EvaluationPanel.current = new EvaluationPanel(panel, extensionUri);
    } else EvaluationPanel.current.panel.reveal(undefined, false);
    const p = EvaluationPanel.current;
    await p.open(reportPath, null);
    return p;
  }

  /** The open panel, for tests and commands that act on it. */
  static get active(): EvaluationPanel | undefined {
    return EvaluationPanel.current;
  }

  static registerSerializer(extensionUri: vscode.Uri): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(EVALUATION_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
        EvaluationPanel.current?.dispose();
        const p = new EvaluationPanel(panel, extensionUri);
        EvaluationPanel.current = p;
        if (isEvaluationViewState(state)) await p.open(state.report, state.compare);
      },
    });
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'loss-chart.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { title: 'Evaluation', bundle: 'evaluation', css: true, body: BODY });
    this.disposables.push(panel.webview.onDidReceiveMessage((m) => void this.onMessage(m)), panel.onDidDispose(() => this.dispose()));
  }

  get shown(): { primary: string | null; other: string | null; generations: number } {
    return { primary: this.primary?.path ?? null, other: this.other?.path ?? null, generations: this.primary?.generations.length ?? 0 };
  }

  async open(reportPath: string, comparePath: string | null): Promise<void> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    try {
      this.primary = await loadEvaluation(reportPath, root);
      const other = comparePath ? await loadEvaluation(comparePath, root) : null;
      if (other && isPreferenceReport(other.report) !== isPreferenceReport(this.primary.report)) {
        throw new Error(`${other.label} is ${isPreferenceReport(other.report) ? 'a preference' : 'an instruction'} evaluation and ${this.primary.label} is not: compare evaluations of the same kind`);
      }
      this.other = other;
      this.panel.title = `Evaluation: ${basename(dirname(dirname(reportPath)))}`;
    } catch (e) {
      outputChannel().warn(`evaluation panel: ${errorMessage(e)}`);
      this.post({ type: 'error', message: errorMessage(e) });
      void vscode.window.showErrorMessage(`Cannot show the evaluation: ${errorMessage(e)}`);
      return;
    }
    this.postShow();
  }

  private post(m: HostToEvaluation): void {
    void this.panel.webview.postMessage(m);
  }

  private postShow(): void {
    if (this.ready && this.primary) this.post({ type: 'show', primary: this.primary, other: this.other });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const r = validateEvaluationToHost(raw);
    if (!r.ok) { outputChannel().warn(`evaluation panel: ignored a message from the webview: ${r.reason}`); return; }
    const m = r.message;
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          this.postShow();
          break;
        case 'openRecord':
          await this.openRecord(m.file, m.line);
          break;
        case 'sendToAnnotator':
          await this.sendToAnnotator(m.indices, m.as);
          break;
        case 'pickCompare': {
          const picked = await pickEvaluationFile('Pick a second evaluation to compare with', this.primary ? dirname(this.primary.path) : undefined);
          if (picked && this.primary) await this.open(this.primary.path, picked);
          break;
        }
        case 'clearCompare':
          this.other = null;
          this.postShow();
          break;
      }
    } catch (e) {
      outputChannel().error(`evaluation panel: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(errorMessage(e));
    }
  }

  /** Only files the evaluation names are opened: the webview never chooses an arbitrary path. */
  private async openRecord(file: string, line: number): Promise<void> {
    if (!this.primary?.generations.some((g) => g.file === file) && !this.other?.generations.some((g) => g.file === file)) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const at = new vscode.Position(Math.max(0, Math.min(line - 1, doc.lineCount - 1)), 0);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(at, doc.lineAt(at.line).range.end) });
  }

  private async sendToAnnotator(indices: number[], as: FailureFormat): Promise<void> {
    const ev = this.primary;
    if (!ev) return;
    const picked = [...new Set(indices)].filter((i) => i < ev.generations.length).map((i) => ev.generations[i]);
    if (!picked.length) return;
    const lines = new Map<string, string[]>();
    const records: string[] = [];
    for (const g of picked) {
      if (!lines.has(g.file)) lines.set(g.file, await readFile(g.file, 'utf8').then((t) => t.split('\n'), () => []));
      let original: Record<string, unknown> | null = null;
      try {
        const v = JSON.parse(lines.get(g.file)![g.line - 1] ?? '');
        if (v && typeof v === 'object' && !Array.isArray(v)) original = v;
      } catch {
        original = null;
      }
      records.push(JSON.stringify(failureRecord(g, original, as)));
    }
    const stem = basename(ev.path).replace(/\.json$/, '');
    let target = join(dirname(ev.path), `${stem}.failures-${as}.jsonl`);
    for (let k = 2; await readFile(target).then(() => true, () => false); k++) target = join(dirname(ev.path), `${stem}.failures-${as}-${k}.jsonl`);
    await writeFile(target, records.join('\n') + '\n', { flag: 'wx' });
    this.post({ type: 'sent', file: target, count: records.length });
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(target), 'instructStudio.pairAnnotator', vscode.ViewColumn.One);
  }

  dispose(): void {
    if (EvaluationPanel.current === this) EvaluationPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Saved evaluations of the workspace (RUN/eval/*.json), newest first, plus browsing for one elsewhere. */
export async function pickEvaluationFile(title: string, near?: string): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/eval/*.json', '**/node_modules/**', 500);
  const items = found.map((u) => u.fsPath).sort((a, b) => basename(b).localeCompare(basename(a))).map((p) => ({
    label: `${basename(dirname(dirname(p)))} · ${basename(p, '.json')}`, description: vscode.workspace.asRelativePath(p), path: p as string | undefined,
  }));
  items.push({ label: '$(folder-opened) Browse…', description: 'an evaluation report (.json) anywhere', path: undefined });
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Evaluation reports written by Evaluate Model or `instruct-studio eval`', matchOnDescription: true });
  if (!pick) return undefined;
  if (pick.path) return pick.path;
  const uris = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { 'Evaluation report': ['json'] }, defaultUri: near ? vscode.Uri.file(near) : undefined });
  return uris?.[0]?.fsPath;
}
