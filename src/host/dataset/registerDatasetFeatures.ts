// Wires the dataset features into the editor: workers, diagnostics, hover, quick fixes, commands, statistics panel.
import * as vscode from 'vscode';
import { outputChannel } from '../log';
import { DatasetWorkerClient } from './workerClient';
import { DatasetDiagnostics } from './datasetDiagnostics';
import { LargeFileDiagnostics } from './largeFileDiagnostics';
import { DatasetHoverProvider } from './datasetHover';
import { DatasetCodeActionProvider } from './datasetCodeActions';
import { affectsDatasetOptions } from './settings';
import { validateDatasetCommand } from './validateCommand';
import type { DatasetServices } from './services';

const JSONL_SELECTOR: vscode.DocumentSelector = [
  { language: 'jsonl', scheme: 'file' },
  { language: 'jsonl', scheme: 'untitled' },
  { pattern: '**/*.jsonl', scheme: 'file' },
];

export function registerDatasetFeatures(context: vscode.ExtensionContext): DatasetServices {
  const log = outputChannel(context);
  const workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'datasetWorker.js').fsPath;
  const interactiveWorker = new DatasetWorkerClient(workerPath, 'instruct-studio dataset worker (editor)', log);
  const batchWorker = new DatasetWorkerClient(workerPath, 'instruct-studio dataset worker (files)', log);
  const diagnostics = new DatasetDiagnostics(interactiveWorker, log);
  const largeFiles = new LargeFileDiagnostics(batchWorker, log);
  const s: DatasetServices = { context, log, interactiveWorker, batchWorker, diagnostics, largeFiles };

  context.subscriptions.push(
    interactiveWorker,
    batchWorker,
    diagnostics,
    largeFiles,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsDatasetOptions(e)) return;
      diagnostics.revalidateAll();
      largeFiles.revalidateAll();
    }),
    vscode.languages.registerHoverProvider(JSONL_SELECTOR, new DatasetHoverProvider(diagnostics)),
    vscode.languages.registerCodeActionsProvider(JSONL_SELECTOR, new DatasetCodeActionProvider(diagnostics), DatasetCodeActionProvider.metadata),
    vscode.commands.registerCommand('instructStudio.validateDataset', (arg?: unknown, selection?: unknown) => validateDatasetCommand(s, arg, selection)),
    vscode.commands.registerCommand('instructStudio.showLog', () => log.show(true)),
  );
  return s;
}
