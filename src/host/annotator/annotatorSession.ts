// One annotator webview bound to one TextDocument. The document is the only model: actions become line edits
// of it, and every document change (ours, the text editor's, undo) flows back into the index and the view.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { applyAction } from '../../core/annotate/actions';
import { filterLines, type AnnotatorFilter } from '../../core/annotate/filter';
import { LineEditError } from '../../core/annotate/jsonLineEdit';
import { LineIndex } from '../../core/annotate/lineIndex';
import { recordView, rowView } from '../../core/annotate/recordView';
import { parseWebviewMessage, ProtocolError, type HostToWebview, type WebviewToHost } from '../../shared/protocol/annotator';
import { allCodes, problemsByLine, type LineProblems } from './documentProblems';
import { applyLineChanges } from './lineEdits';
import { runBulk } from './bulkActions';
import { generatePairFor } from './generatePair';
import { onPairGeneratorChange, pairGenerator } from './pairGenerator';

/** Lines summarized per slice while indexing a large file, between which the host thread is free. */
const SLICE = 4000;
/** A change that leaves at most this many lines to summarize is handled at once, before the view updates. */
const SYNC_LIMIT = 2000;

export interface Poster {
  postMessage(message: HostToWebview): Thenable<boolean> | void;
}

export class AnnotatorSession implements vscode.Disposable {
  private readonly index = new LineIndex();
  private filter: AnnotatorFilter = {};
  private filtered: number[] = [];
  private problems = new Map<number, LineProblems>();
  private version = 0;
  private indexing = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly document: vscode.TextDocument, private readonly poster: Poster) {
    this.problems = problemsByLine(document.uri);
    this.index.reset(document.lineCount);
    this.index.summarize((i) => document.lineAt(i).text, 0, SYNC_LIMIT);
    this.refilter();
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.document && e.contentChanges.length > 0) this.onDocumentChange(e.contentChanges);
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === this.document.uri.toString())) this.onDiagnostics();
      }),
      onPairGeneratorChange(() => this.postState()),
    );
    this.continueIndexing();
  }

  get fileName(): string {
    return basename(this.document.uri.path);
  }

  /** Filtered positions → document lines (for tests and bulk actions). */
  get filteredLines(): readonly number[] {
    return this.filtered;
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }

  /** Entry for raw messages from the webview: validated here, errors shown in the webview. */
  async receive(raw: unknown): Promise<void> {
    let message: WebviewToHost;
    try {
      message = parseWebviewMessage(raw);
    } catch (e) {
      this.notice('error', e instanceof ProtocolError ? e.message : String(e));
      return;
    }
    try {
      await this.handle(message);
    } catch (e) {
      this.notice('error', (e as Error).message);
    }
  }

  private async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.postState();
        return;
      case 'setFilter':
        this.filter = message.filter;
        this.refilter();
        this.postState();
        return;
      case 'getRows': {
        const end = Math.min(this.filtered.length, message.start + message.count);
        const rows = [];
        for (let p = message.start; p < end; p++) {
          const line = this.filtered[p];
          rows.push(rowView(line, this.document.lineAt(line).text, this.problems.get(line)?.problems.length ?? 0));
        }
        this.post({ type: 'rows', version: this.version, start: message.start, rows });
        return;
      }
      case 'getRecord': {
        const position = Math.min(message.position, Math.max(0, this.filtered.length - 1));
        const line = this.filtered[position];
        const view = line === undefined ? null : recordView(line, this.document.lineAt(line).text, this.problems.get(line)?.problems ?? []);
        this.post({ type: 'record', version: this.version, position, view });
        return;
      }
      case 'action':
        await this.act(message.line, (text) => applyAction(text, message.action));
        return;
      case 'undo':
      case 'redo':
        // The keystroke came from the focused custom editor, so the workbench's undo targets this document.
        await vscode.commands.executeCommand(message.type);
        return;
      case 'bulk':
        await runBulk(message.op, this.document, this.filtered, (level, text) => this.notice(level, text));
        return;
      case 'showInText': {
        this.checkLine(message.line);
        const range = this.document.lineAt(message.line).range;
        await vscode.window.showTextDocument(this.document, { viewColumn: vscode.ViewColumn.Beside, selection: range, preserveFocus: false });
        return;
      }
      case 'generatePair':
        this.checkLine(message.line);
        await generatePairFor(this.document, message.line, (level, text) => this.notice(level, text));
        return;
    }
  }

  private checkLine(line: number): void {
    if (line >= this.document.lineCount) throw new Error(`${this.fileName}: line ${line + 1} no longer exists (the file has ${this.document.lineCount} lines)`);
  }

  private async act(line: number, change: (text: string) => string): Promise<void> {
    this.checkLine(line);
    const before = this.document.lineAt(line).text;
    let after: string;
    try {
      after = change(before);
    } catch (e) {
      if (e instanceof LineEditError) {
        const where = e.field ? `, field "${e.field}"` : '';
        throw new Error(`${this.fileName}:${line + 1}${where}: ${e.message}`);
      }
      throw e;
    }
    if (!(await applyLineChanges(this.document, [{ line, text: after }]))) {
      throw new Error(`${this.fileName}:${line + 1}: the edit was not applied (is the file read-only?)`);
    }
  }

  private onDocumentChange(changes: readonly vscode.TextDocumentContentChangeEvent[]): void {
    // Applied bottom-up so each change's old line numbers are still valid when it is spliced in.
    const sorted = [...changes].sort((a, b) => b.range.start.compareTo(a.range.start));
    for (const c of sorted) {
      let inserted = 1;
      for (let i = 0; i < c.text.length; i++) if (c.text.charCodeAt(i) === 10) inserted++;
      this.index.spliceUnsummarized(c.range.start.line, c.range.end.line - c.range.start.line + 1, inserted);
    }
    if (this.index.lineCount !== this.document.lineCount) this.index.reset(this.document.lineCount);
    // Problem lines shift with the text until the validator republishes; drop those now out of range.
    for (const line of this.problems.keys()) if (line >= this.document.lineCount) this.problems.delete(line);
    this.continueIndexing();
  }

  private onDiagnostics(): void {
    this.problems = problemsByLine(this.document.uri);
    this.refilter();
    this.postState();
  }

  /** Summarizes pending lines: small amounts at once, a large file in slices that yield to the host. */
  private continueIndexing(): void {
    const lineAt = (i: number) => this.document.lineAt(i).text;
    let next = this.index.nextPending();
    let budget = SYNC_LIMIT;
    while (next >= 0 && budget > 0) {
      const end = Math.min(next + budget, this.index.lineCount);
      budget -= this.index.summarizePending(lineAt, next, end);
      next = this.index.nextPending(end);
    }
    this.refilter();
    this.postState();
    if (next < 0 || this.indexing) return;
    this.indexing = true;
    let lastPost = Date.now();
    const step = () => {
      if (this.disposed) return;
      const from = this.index.nextPending();
      if (from < 0) {
        this.indexing = false;
        this.refilter();
        this.postState();
        return;
      }
      this.index.summarizePending(lineAt, from, from + SLICE);
      if (Date.now() - lastPost > 250) {
        lastPost = Date.now();
        this.refilter();
        this.postState();
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  private refilter(): void {
    this.filtered = filterLines(this.index, (i) => this.document.lineAt(i).text, (i) => this.problems.get(i)?.codes, this.filter);
  }

  private postState(): void {
    this.version++;
    this.post({
      type: 'state', version: this.version, fileName: this.fileName, count: this.filtered.length, progress: this.index.progress(),
      indexing: this.indexing, filter: this.filter, tasks: this.index.tasks(), problemCodes: allCodes(this.problems),
      canGenerate: pairGenerator() !== undefined,
    });
  }

  private notice(level: 'info' | 'error', message: string): void {
    // Shown in the webview's live region rather than as a toast: a mistyped key should not pile up popups.
    this.post({ type: 'notice', level, message });
  }

  private post(message: HostToWebview): void {
    if (!this.disposed) void this.poster.postMessage(message);
  }
}
