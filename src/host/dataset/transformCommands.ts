// Convert / Split / Remove Duplicates: each asks what it needs, runs in the worker, writes new files next to the
// input (never over it or over an earlier result) and offers to open them. Arguments after the file let tests and
// keybindings skip the questions: convert(uri, 'chat', {open}), split(uri, {evalFraction, seed, stratify}),
// dedupe(uri, {near}). `open: true` (the quick fix) opens the result instead of offering to.
import * as vscode from 'vscode';
import { DATASET_FORMATS, type DatasetFormat } from '../../core/dataset/types';
import type { WrittenFile } from '../../shared/protocol/datasetWorker';
import type { DatasetServices } from './services';
import { datasetTarget } from './datasetTarget';
import { siblingOutput, splitPrefix } from './outputPaths';
import { datasetOptions } from './settings';
import { errorMessage } from '../log';

export interface TransformResult {
  outputs: WrittenFile[];
  dropped: number;
}

/** Formats a whole file can be converted to (preference data needs a rejected answer no other format has). */
export const CONVERTIBLE: readonly DatasetFormat[] = ['alpaca', 'chat', 'completion'];

const FORMAT_DETAIL: Record<DatasetFormat, string> = {
  alpaca: 'instruction, input, output',
  chat: 'messages: [{role, content}]',
  completion: 'prompt, completion',
  preference: 'prompt, chosen, rejected',
};

export async function convertDatasetCommand(s: DatasetServices, arg?: unknown, formatArg?: unknown, how?: unknown): Promise<TransformResult | undefined> {
  const uri = await datasetTarget(arg, 'Convert');
  if (!uri || !(await usableOnDisk(uri))) return undefined;
  let to = typeof formatArg === 'string' && (DATASET_FORMATS as readonly string[]).includes(formatArg) ? formatArg as DatasetFormat : undefined;
  if (!to) {
    const current = s.diagnostics.problemsFor(uri)?.summary.format;
    const picked = await vscode.window.showQuickPick(
      CONVERTIBLE.filter((f) => f !== current).map((f) => ({ label: f, description: FORMAT_DETAIL[f], format: f })),
      { title: `Convert ${vscode.workspace.asRelativePath(uri)} to…`, placeHolder: 'Unknown keys are carried over; the input file is not changed' },
    );
    if (!picked) return undefined;
    to = picked.format;
  }
  const output = siblingOutput(uri.fsPath, to);
  const result = await run(s, `Converting to ${to}`, () => s.batchWorker.request({ type: 'convert', input: uri.fsPath, output, to: to! }));
  if (!result) return undefined;
  const message = `Wrote ${result.outputs[0].records} ${to} records to ${vscode.workspace.asRelativePath(output)}.`;
  if (isPlainObject(how) && how.open === true) {
    await vscode.window.showTextDocument(vscode.Uri.file(output), { preview: false });
    void vscode.window.showInformationMessage(message);
  } else await offerToOpen(s, message, result.outputs);
  return result;
}

export async function splitDatasetCommand(s: DatasetServices, arg?: unknown, optionsArg?: unknown): Promise<TransformResult | undefined> {
  const uri = await datasetTarget(arg, 'Split');
  if (!uri || !(await usableOnDisk(uri))) return undefined;
  const given = isPlainObject(optionsArg) ? optionsArg : {};
  let evalFraction = typeof given.evalFraction === 'number' && given.evalFraction > 0 && given.evalFraction < 1 ? given.evalFraction : undefined;
  if (evalFraction === undefined) {
    const typed = await vscode.window.showInputBox({
      title: `Split ${vscode.workspace.asRelativePath(uri)} into train and eval`,
      prompt: 'Share of records held out for evaluation (between 0 and 1)',
      value: '0.1',
      validateInput: (v) => (fractionOf(v) === undefined ? 'Enter a number between 0 and 1, e.g. 0.1' : undefined),
    });
    if (typed === undefined) return undefined;
    evalFraction = fractionOf(typed)!;
  }
  const seed = Number.isInteger(given.seed) ? given.seed as number : 42;
  let stratify = typeof given.stratify === 'string' ? given.stratify : given.stratify === false ? '' : undefined;
  if (stratify === undefined) {
    const picked = await vscode.window.showQuickPick([
      { label: 'Random', description: `seeded (seed ${seed})`, field: '' },
      { label: 'Stratified by task', description: 'keeps each "task" value\'s share the same in train and eval', field: 'task' },
      { label: 'Stratified by category', description: 'the same, by the "category" field', field: 'category' },
    ], { title: 'How to pick the eval records' });
    if (!picked) return undefined;
    stratify = picked.field;
  }
  const { prefix } = splitPrefix(uri.fsPath);
  const result = await run(s, 'Splitting dataset', () => s.batchWorker.request({
    type: 'split', input: uri.fsPath, prefix, evalFraction: evalFraction!, seed,
    ...(stratify ? { stratify } : {}),
  }));
  if (!result) return undefined;
  const [t, e] = result.outputs;
  await offerToOpen(s, `Split into ${t.records} train and ${e.records} eval records (seed ${seed}${stratify ? `, stratified by ${stratify}` : ''}).`, result.outputs);
  return result;
}

export async function dedupeDatasetCommand(s: DatasetServices, arg?: unknown, optionsArg?: unknown): Promise<TransformResult | undefined> {
  const uri = await datasetTarget(arg, 'Remove Duplicates');
  if (!uri || !(await usableOnDisk(uri))) return undefined;
  const options = datasetOptions(uri);
  let near = isPlainObject(optionsArg) && typeof optionsArg.near === 'boolean' ? optionsArg.near : undefined;
  if (near === undefined) {
    const picked = await vscode.window.showQuickPick([
      { label: 'Exact duplicates', description: 'records identical to an earlier one', near: false },
      { label: 'Exact and near duplicates', description: `also records whose text is ${Math.round((options.nearDuplicateThreshold ?? 0.9) * 100)}% similar to an earlier one`, near: true },
    ], { title: `Remove duplicates from ${vscode.workspace.asRelativePath(uri)}`, placeHolder: 'The first occurrence is kept; the input file is not changed' });
    if (!picked) return undefined;
    near = picked.near;
  }
  const output = siblingOutput(uri.fsPath, 'dedup');
  const result = await run(s, 'Removing duplicates', () => s.batchWorker.request({ type: 'dedupe', input: uri.fsPath, output, near: near!, options }));
  if (!result) return undefined;
  await offerToOpen(s, `Removed ${result.dropped} duplicate record${result.dropped === 1 ? '' : 's'}; ${result.outputs[0].records} kept in ${vscode.workspace.asRelativePath(output)}.`, result.outputs);
  return result;
}

async function run(s: DatasetServices, title: string, job: () => Promise<TransformResult>): Promise<TransformResult | undefined> {
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, job);
    for (const o of result.outputs) s.log.info(`${title}: wrote ${o.records} records to ${o.path}`);
    return result;
  } catch (e) {
    // The core lists every blocking record (file:line: reason); the notification gets the first line, the log all.
    const [first, ...rest] = errorMessage(e).split('\n');
    s.log.warn(`${title} failed: ${errorMessage(e)}`);
    void vscode.window.showWarningMessage(`Instruct Studio: ${title.toLowerCase()} failed: ${first}${rest.length ? ' (details in the Instruct Studio log)' : ''}`);
    return undefined;
  }
}

async function offerToOpen(s: DatasetServices, message: string, outputs: WrittenFile[]): Promise<void> {
  const actions = outputs.length === 1 ? ['Open'] : outputs.map((o) => `Open ${baseName(o.path)}`);
  // Not awaited for the command's result: the notification may stay unanswered.
  void vscode.window.showInformationMessage(message, ...actions).then(async (choice) => {
    const i = choice ? actions.indexOf(choice) : -1;
    if (i < 0) return;
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(outputs[i].path), { preview: false });
    } catch (e) {
      s.log.warn(`could not open ${outputs[i].path}: ${errorMessage(e)}`);
    }
  });
}

/** The transformations read the file on disk; unsaved edits would be silently ignored, so ask first. */
async function usableOnDisk(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('Instruct Studio: save the dataset to a file first; transformations read files from disk.');
    return false;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!doc?.isDirty) return true;
  const choice = await vscode.window.showInformationMessage(
    `${vscode.workspace.asRelativePath(uri)} has unsaved changes. Transformations read the file on disk.`,
    'Save and Continue', 'Use Saved Version',
  );
  if (choice === 'Save and Continue') return doc.save();
  return choice === 'Use Saved Version';
}

function fractionOf(v: string): number | undefined {
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isFinite(n) && n > 0 && n < 1 ? n : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof vscode.Uri);
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
