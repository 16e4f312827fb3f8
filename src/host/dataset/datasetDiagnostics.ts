// Live diagnostics for open JSONL buffers. Validation runs in the worker; the host only schedules it (debounced,
// one run per document at a time, a newer version coalescing into one follow-up run) and publishes the answer.
//
// Which files get diagnostics: `.jsonl` buffers (language `jsonl`) whose validation finds at least one record in a
// known instruction format. Any other JSONL (logs, embeddings, events) stays silent instead of filling the Problems
// panel with `unknown-format`; the Validate command still reports on whatever file it is pointed at.
import * as vscode from 'vscode';
import type { Problem } from '../../core/dataset/types';
import type { ValidationSummary } from '../../shared/protocol/datasetWorker';
import { readDocumentContent, documentLength } from './documentContent';
import { documentLineLength, toDiagnostic } from './problemDiagnostics';
import { datasetOptions } from './settings';
import { WorkerCancelledError, type DatasetWorkerClient } from './workerClient';

/** More markers than this only slow the editor down; counts in the log and the Validate command stay exact. */
export const MAX_DIAGNOSTICS = 2000;

interface DocState {
  timer?: NodeJS.Timeout;
  running: boolean;
  /** A change arrived during a run: run once more when it ends. */
  again: boolean;
}

export interface PublishedProblems {
  summary: ValidationSummary;
  /** Document version the problems were computed for. */
  version: number;
}

export function isJsonlDocument(doc: vscode.TextDocument): boolean {
  return (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled')
    && (doc.languageId === 'jsonl' || doc.uri.path.toLowerCase().endsWith('.jsonl'));
}

export class DatasetDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('instruct-studio');
  private readonly states = new Map<string, DocState>();
  private readonly published = new Map<string, PublishedProblems>();
  private readonly notDatasets = new Set<string>();
  /** Buffers the user validated by command: they keep their diagnostics even when they are not instruction data. */
  private readonly requested = new Set<string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's diagnostics were replaced or cleared. */
  readonly onDidUpdate = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly worker: DatasetWorkerClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.collection,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document, debounceMs(e.document));
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Re-validates every open dataset buffer (settings changed). */
  revalidateAll(): void {
    this.notDatasets.clear();
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** The problems last published for a buffer, for hovers and quick fixes. */
  problemsFor(uri: vscode.Uri): PublishedProblems | undefined {
    return this.published.get(uri.toString());
  }

  /** Validates a buffer now, publishes the result and returns it (the Validate command on an open document). */
  async validateNow(doc: vscode.TextDocument): Promise<ValidationSummary | undefined> {
    if (doc.isClosed) return undefined;
    const content = await readDocumentContent(doc, () => true);
    if (!content) return this.validateNow(doc);
    this.requested.add(doc.uri.toString());
    const summary = (await this.worker.request({
      type: 'validateText', file: doc.uri.fsPath, content, options: datasetOptions(doc.uri), maxProblems: MAX_DIAGNOSTICS,
    })).summary;
    this.publish(doc, summary, doc.version);
    return summary;
  }

  /** Shows problems of a file validated from disk by a command, while it is not open in an editor. */
  publishFile(uri: vscode.Uri, summary: ValidationSummary): void {
    const key = uri.toString();
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) return;
    this.collection.set(uri, summary.problems.map((p) => toDiagnostic(p, () => undefined)));
    this.published.set(key, { summary, version: -1 });
    this.changed.fire(uri);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isJsonlDocument(doc)) return;
    const key = doc.uri.toString();
    let st = this.states.get(key);
    if (!st) this.states.set(key, (st = { running: false, again: false }));
    clearTimeout(st.timer);
    st.timer = setTimeout(() => void this.run(doc, key), delay);
  }

  private async run(doc: vscode.TextDocument, key: string): Promise<void> {
    const st = this.states.get(key);
    if (!st || doc.isClosed) return;
    st.timer = undefined;
    if (st.running) { st.again = true; return; }
    st.running = true;
    try {
      const version = doc.version;
      const content = await readDocumentContent(doc, () => this.states.get(key) === st);
      // A newer version arrived while reading: its own change event scheduled the next run.
      if (!content) return;
      const started = Date.now();
      const { summary } = await this.worker.request({
        type: 'validateText', file: doc.uri.fsPath, content, options: datasetOptions(doc.uri), maxProblems: MAX_DIAGNOSTICS,
      });
      if (this.states.get(key) !== st) return; // closed meanwhile
      this.publish(doc, summary, version);
      this.log.debug(`validated ${doc.uri.fsPath} (${summary.records} records, ${documentLength(doc)} chars) in ${Date.now() - started} ms`);
    } catch (e) {
      if (!(e instanceof WorkerCancelledError)) this.log.error(`validating ${doc.uri.fsPath}: ${(e as Error).message}`);
    } finally {
      st.running = false;
      if (st.again && this.states.get(key) === st) {
        st.again = false;
        this.schedule(doc, 0);
      }
    }
  }

  private publish(doc: vscode.TextDocument, summary: ValidationSummary, version: number): void {
    const key = doc.uri.toString();
    if (summary.format === 'unknown' && !this.requested.has(key)) {
      if (!this.notDatasets.has(key)) {
        this.notDatasets.add(key);
        this.log.info(`${doc.uri.fsPath}: no record is alpaca, chat, prompt/completion or preference data; no diagnostics shown`);
      }
      this.collection.delete(doc.uri);
      this.published.delete(key);
      this.changed.fire(doc.uri);
      return;
    }
    this.notDatasets.delete(key);
    const lineLength = documentLineLength(doc);
    this.collection.set(doc.uri, summary.problems.map((p: Problem) => toDiagnostic(p, lineLength)));
    this.published.set(key, { summary, version });
    if (summary.truncated) {
      this.log.warn(`${doc.uri.fsPath}: showing the first ${summary.problems.length} problems of ${summary.errors} errors and ${summary.warnings} warnings`);
    }
    this.changed.fire(doc.uri);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const st = this.states.get(key);
    if (st) clearTimeout(st.timer);
    this.states.delete(key);
    this.published.delete(key);
    this.notDatasets.delete(key);
    this.requested.delete(key);
    this.collection.delete(uri);
    this.changed.fire(uri);
  }

  dispose(): void {
    for (const st of this.states.values()) clearTimeout(st.timer);
    this.states.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** Typing in a small file gets feedback quickly; a big one waits for a pause so the worker is not kept busy. */
function debounceMs(doc: vscode.TextDocument): number {
  const mb = documentLength(doc) / 1_000_000;
  return Math.min(2000, 250 + Math.round(mb * 50));
}
