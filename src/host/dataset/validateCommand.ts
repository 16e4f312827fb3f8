// "Instruct Studio: Validate Dataset": validates the selected, active or chosen files (open buffers as edited,
// others from disk in the worker), shows the counts and reveals the Problems panel.
import * as vscode from 'vscode';
import type { ValidationSummary } from '../../shared/protocol/datasetWorker';
import type { DatasetServices } from './services';
import { datasetTargets } from './datasetTarget';
import { MAX_DIAGNOSTICS } from './datasetDiagnostics';
import { datasetOptions } from './settings';
import { errorMessage } from '../log';

export async function validateDatasetCommand(s: DatasetServices, arg?: unknown, selection?: unknown): Promise<ValidationSummary[]> {
  const targets = await datasetTargets(arg, selection, 'Validate');
  if (targets.length === 0) return [];
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Validating dataset' },
    () => Promise.all(targets.map((uri) => validateOne(s, uri))),
  );
  const done = results.filter((r): r is ValidationSummary => r !== undefined);
  if (done.length) {
    void vscode.window.showInformationMessage(done.length === 1 ? describe(done[0]) : describeMany(done));
    await vscode.commands.executeCommand('workbench.actions.view.problems');
  }
  return done;
}

async function validateOne(s: DatasetServices, uri: vscode.Uri): Promise<ValidationSummary | undefined> {
  const started = Date.now();
  try {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let summary: ValidationSummary | undefined;
    if (open) summary = await s.diagnostics.validateNow(open);
    else summary = await s.largeFiles.validateNow(uri);
    if (!summary) {
      summary = (await s.batchWorker.request({
        type: 'validateFile', path: uri.fsPath, options: datasetOptions(uri), maxProblems: MAX_DIAGNOSTICS,
      })).summary;
      s.diagnostics.publishFile(uri, summary);
    }
    s.log.info(`validated ${uri.fsPath} in ${Date.now() - started} ms: ${describe(summary)}`);
    for (const p of summary.problems.slice(0, 200)) s.log.info(`  ${uri.fsPath}:${p.line}:${p.column} ${p.severity} ${p.code} ${p.message}`);
    return summary;
  } catch (e) {
    // A missing or unreadable file is the user's input, not a crash: say which file and why, as a warning.
    s.log.warn(`could not validate ${uri.fsPath}: ${errorMessage(e)}`);
    void vscode.window.showWarningMessage(`Instruct Studio: could not validate ${vscode.workspace.asRelativePath(uri)}: ${errorMessage(e)}`);
    return undefined;
  }
}

export function describe(r: ValidationSummary): string {
  const name = vscode.workspace.asRelativePath(r.file);
  const format = r.format === 'unknown' ? 'no known format' : r.format;
  const infos = r.problems.length - r.problems.filter((p) => p.severity !== 'info').length;
  const parts = [`${r.errors} error${r.errors === 1 ? '' : 's'}`, `${r.warnings} warning${r.warnings === 1 ? '' : 's'}`];
  if (infos && !r.truncated) parts.push(`${infos} note${infos === 1 ? '' : 's'}`);
  const shown = r.truncated ? ` (the first ${r.problems.length} are in the Problems panel)` : '';
  return `${name}: ${r.records} record${r.records === 1 ? '' : 's'} (${format}), ${parts.join(', ')}${shown}.`;
}

function describeMany(rs: ValidationSummary[]): string {
  const errors = rs.reduce((n, r) => n + r.errors, 0);
  const warnings = rs.reduce((n, r) => n + r.warnings, 0);
  const records = rs.reduce((n, r) => n + r.records, 0);
  return `${rs.length} files, ${records} records: ${errors} errors, ${warnings} warnings.`;
}
