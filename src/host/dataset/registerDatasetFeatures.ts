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
import { convertDatasetCommand, dedupeDatasetCommand, splitDatasetCommand } from './transformCommands';
import { datasetTarget } from './datasetTarget';
import { DatasetStatsPanel, STATS_VIEW_TYPE } from '../stats/statsPanel';
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
    vscode.commands.registerCommand('instructStudio.convertDataset', (arg?: unknown, format?: unknown, how?: unknown) => convertDatasetCommand(s, arg, format, how)),
    vscode.commands.registerCommand('instructStudio.splitDataset', (arg?: unknown, options?: unknown) => splitDatasetCommand(s, arg, options)),
    vscode.commands.registerCommand('instructStudio.dedupeDataset', (arg?: unknown, options?: unknown) => dedupeDatasetCommand(s, arg, options)),
    vscode.commands.registerCommand('instructStudio.showDatasetStats', async (arg?: unknown) => {
      const uri = await datasetTarget(arg, 'Show Statistics');
      if (uri) DatasetStatsPanel.show(s, uri);
    }),
    vscode.window.registerWebviewPanelSerializer(STATS_VIEW_TYPE, DatasetStatsPanel.serializer(s)),
    vscode.commands.registerCommand('instructStudio.showLog', () => log.show(true)),
  );
  return s;
}
