// What the dataset commands and providers share: the two workers, the diagnostics and the log.
import type * as vscode from 'vscode';
import type { DatasetDiagnostics } from './datasetDiagnostics';
import type { LargeFileDiagnostics } from './largeFileDiagnostics';
import type { DatasetWorkerClient } from './workerClient';

export interface DatasetServices {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  /** Validates open buffers as the user types: never queued behind a long file job. */
  interactiveWorker: DatasetWorkerClient;
  /** Whole-file jobs: validation from disk, statistics, conversions, splits, dedupes. */
  batchWorker: DatasetWorkerClient;
  diagnostics: DatasetDiagnostics;
  largeFiles: LargeFileDiagnostics;
}
