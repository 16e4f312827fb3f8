// "Evaluate Model": picks a checkpoint and eval file, then runs `dist/cli.js eval` in a child process (the model
// never runs in the extension host) with progress and cancel; the report is saved in the run's eval/ folder and
// opened in the evaluation panel.
import * as vscode from 'vscode';
import { fork } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { detectFormat } from '../../core/dataset/detect';
import { basename, dirname, join } from 'node:path';
import { errorMessage, outputChannel } from '../log';
import { EvaluationPanel } from './evaluationPanel';

export interface EvaluationTarget {
  /** The model or run folder given to --model. */
  model: string;
  /** Where eval/ is written: the run folder, or the model folder itself. */
  out: string;
  /** run.json's `model` (the base): 'tiny' or a folder; undefined when unknown. */
  base?: string;
  /** run.json's eval split or the dataset's -eval.jsonl sibling. */
  defaultData?: string;
}

interface RunJson { model?: unknown; eval?: unknown; dataset?: unknown }

/** What a folder (a run, its best/ or checkpoint/, or a bare model folder) means for evaluation. */
export function evaluationTarget(folder: string): EvaluationTarget | null {
  const runDir = existsSync(join(folder, 'run.json')) ? folder
    : ['best', 'checkpoint'].includes(basename(folder)) && existsSync(join(dirname(folder), 'run.json')) ? dirname(folder) : null;
  if (!runDir) return existsSync(join(folder, 'config.json')) ? { model: folder, out: folder } : null;
  let info: RunJson = {};
  try {
    info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunJson;
  } catch {
    info = {};
  }
  const target: EvaluationTarget = { model: folder, out: runDir };
  if (typeof info.model === 'string' && (info.model === 'tiny' || existsSync(info.model))) target.base = info.model;
  if (typeof info.eval === 'string' && existsSync(info.eval)) target.defaultData = info.eval;
  else if (typeof info.dataset === 'string') {
    const sibling = evalSibling(info.dataset);
    if (sibling && existsSync(sibling)) target.defaultData = sibling;
  }
  return target;
}

/** Whether the first record of a known format in the file's first megabyte is a preference pair or ranking. */
export function isPreferenceData(file: string): boolean {
  let head = '';
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  for (const line of head.split('\n')) {
    let format;
    try { format = detectFormat(JSON.parse(line)); } catch { continue; }
    if (format) return format === 'preference';
  }
  return false;
}

/** `x-train.jsonl` → `x-eval.jsonl`, `x.jsonl` → `x-eval.jsonl`. */
export function evalSibling(dataset: string): string | null {
  if (!dataset.endsWith('.jsonl')) return null;
  const stem = dataset.slice(0, -'.jsonl'.length).replace(/[-_.]train$/, '');
  return `${stem}-eval.jsonl`;
}

/** The folder an argument stands for: a runs-view item (`{ run: { dir } }`), a folder Uri, or nothing. */
function folderOf(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const dir = (arg as { run?: { dir?: unknown } } | undefined)?.run?.dir;
  return typeof dir === 'string' ? dir : undefined;
}

async function pickModelFolder(): Promise<string | undefined> {
  const runs = await vscode.workspace.findFiles('**/run.json', '**/node_modules/**', 500);
  const items = runs.map((u) => dirname(u.fsPath)).filter((d) => evaluationTarget(d)).map((d) => ({ label: basename(d), description: vscode.workspace.asRelativePath(d), dir: d as string | undefined }));
  items.push({ label: '$(folder-opened) Browse for a model or checkpoint folder…', description: '', dir: undefined });
  const pick = await vscode.window.showQuickPick(items, { title: 'Evaluate Model: which checkpoint?', placeHolder: 'A training run (its best/ or latest checkpoint) or a model folder' });
  if (!pick) return undefined;
  if (pick.dir) return pick.dir;
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Model, checkpoint or run folder' });
  return uris?.[0]?.fsPath;
}

async function pickEvalFile(target: EvaluationTarget): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/*.jsonl', '**/{node_modules,eval}/**', 1000);
  const items = files.map((u) => u.fsPath)
    .sort((a, b) => Number(b === target.defaultData) - Number(a === target.defaultData) || Number(/eval/i.test(basename(b))) - Number(/eval/i.test(basename(a))))
    .map((p) => ({ label: basename(p), description: `${vscode.workspace.asRelativePath(p)}${p === target.defaultData ? ' · the run\'s eval file' : ''}`, path: p }));
  if (target.defaultData && !items.some((i) => i.path === target.defaultData)) items.unshift({ label: basename(target.defaultData), description: `${target.defaultData} · the run's eval file`, path: target.defaultData });
  const pick = await vscode.window.showQuickPick(items, { title: 'Evaluate Model: eval records (with reference responses) or preference pairs', placeHolder: 'Records tagged "unseen": true are reported separately' });
  return pick?.path;
}

/** `arg`: the checkpoint (runs-view item or folder Uri); `dataArg`: the eval file's Uri, skipping its picker. */
export async function evaluateModelCommand(extensionUri: vscode.Uri, arg?: unknown, dataArg?: unknown): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Evaluating a model runs code on your machine, so it is disabled in untrusted workspaces.');
    return undefined;
  }
  const folder = folderOf(arg) ?? await pickModelFolder();
  if (!folder) return undefined;
  const target = evaluationTarget(folder);
  if (!target) { void vscode.window.showErrorMessage(`${folder}: not a run, checkpoint or model folder (no run.json or config.json).`); return undefined; }
  const data = dataArg instanceof vscode.Uri ? dataArg.fsPath : await pickEvalFile(target);
  if (!data) return undefined;
  const general = vscode.Uri.joinPath(extensionUri, 'media', 'samples', 'general-text.txt').fsPath;
  const args = ['eval', '--model', target.model, '--data', data, '--out', target.out, '--json', '--progress'];
  // Preference pairs are scored against the base by the CLI itself; the forgetting probe is for instruction data.
  if (target.base) args.push('--base', target.base, ...(isPreferenceData(data) ? [] : ['--general', general]));
  const saved = await runEvalChild(vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath, args, basename(target.out));
  if (saved) await EvaluationPanel.show(extensionUri, saved);
  return saved;
}

/** Runs the CLI child with a cancellable progress notification; resolves to the saved report's path. */
function runEvalChild(cli: string, args: string[], name: string): Thenable<string | undefined> {
  const log = outputChannel();
  log.info(`evaluate: ${cli} ${args.join(' ')}`);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Evaluating ${name}`, cancellable: true }, (progress, token) =>
    new Promise<string | undefined>((resolve) => {
      const child = fork(cli, args, { silent: true, env: { ...process.env, INSTRUCT_STUDIO_BACKEND: process.env.INSTRUCT_STUDIO_BACKEND ?? 'wasm' } });
      let stdout = '';
      let stderr = '';
      let reported = 0;
      child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr!.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-8000);
        for (const m of d.toString().matchAll(/^progress (\d+)\/(\d+) (.+)$/gm)) {
          const pct = (100 * Number(m[1])) / Math.max(1, Number(m[2]));
          progress.report({ increment: pct - reported, message: `${m[3]}: ${m[1]}/${m[2]}` });
          reported = pct;
        }
      });
      token.onCancellationRequested(() => child.kill('SIGTERM'));
      child.on('error', (e) => {
        void vscode.window.showErrorMessage(`Could not run the evaluation: ${errorMessage(e)}`);
        resolve(undefined);
      });
      child.on('exit', (code) => {
        const lastLines = stderr.split('\n').filter((l) => l && !l.startsWith('progress ')).slice(-5).join('\n');
        if (lastLines) log.info(lastLines);
        if (token.isCancellationRequested) { log.info('evaluate: cancelled'); resolve(undefined); return; }
        if (code !== 0) {
          void vscode.window.showErrorMessage(`Evaluation failed: ${lastLines || `exit code ${code}`}`, 'Show Log').then((c) => { if (c) log.show(); });
          resolve(undefined);
          return;
        }
        try {
          const saved = (JSON.parse(stdout) as { saved?: unknown }).saved;
          resolve(typeof saved === 'string' ? saved : undefined);
        } catch (e) {
          void vscode.window.showErrorMessage(`Evaluation output was not JSON: ${errorMessage(e)}`);
          resolve(undefined);
        }
      });
    }));
}
