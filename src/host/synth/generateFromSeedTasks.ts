// "Generate Instructions from Seed Tasks": seed file, how many, which model; then `dist/cli.js synth --json` in a
// child process with progress and cancel, and the new file opens in the pair annotator for review before any use.
//
// Why the CLI child and not a new message on the trainer child's IPC: the CLI already is the whole job (reading and
// checking the seeds, the model, the filters, writing the new file without ever overwriting one) and is tested end
// to end; a trainer-IPC message would repeat that in a second entry point. "Evaluate Model" and the annotator's
// pair sampling run the CLI the same way. Its `--json` lines are declared and validated in src/shared/protocol/synth.ts.
import * as vscode from 'vscode';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readRunSummary } from '../../core/runs/runFolder';
import { DROP_REASONS } from '../../core/synth/types';
import { parseSynthLine, type SynthLine } from '../../shared/protocol/synth';
import { siblingOutput } from '../dataset/outputPaths';
import { datasetTarget } from '../dataset/datasetTarget';
import { PAIR_ANNOTATOR_VIEW_TYPE } from '../annotator/pairAnnotatorProvider';
import { errorMessage, outputChannel } from '../log';
import { BUILTIN_PRETRAINED, isBuiltinModel } from '../../trainer/builtinModel';

const MODEL_KEY = 'instructStudio.synth.model';
const COUNT_KEY = 'instructStudio.synth.count';

/** Skips the pickers (tests, other commands): any field given is not asked. */
export interface GenerateOptions {
  n?: number;
  model?: string;
  /** Seed of the example draws and the sampling; random when absent, so a second run proposes other tasks. */
  seed?: number;
  maxProposals?: number;
  /** The CLI's --max-new-tokens and --max-tokens (defaults: half the model's context, and all of it). */
  maxNewTokens?: number;
  maxTokens?: number;
  /** Open the result in the pair annotator (default true). */
  open?: boolean;
}

type Done = Extract<SynthLine, { type: 'done' }>;

export async function generateFromSeedTasks(context: vscode.ExtensionContext, arg?: unknown, options: GenerateOptions = {}): Promise<Done | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Generating instructions runs a model on your machine, so it is disabled in untrusted workspaces. Trust this workspace to use it.', 'Manage Workspace Trust')
      .then((c) => { if (c) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return undefined;
  }
  const seed = await datasetTarget(arg, 'Use as Seed Tasks');
  if (!seed) return undefined;
  const n = options.n ?? await askCount(context);
  if (!n) return undefined;
  const model = options.model ?? await pickModel(context);
  if (!model) return undefined;
  const out = siblingOutput(seed.fsPath, 'synth');
  const args = ['synth', '--seed', seed.fsPath, '-n', String(n), '-o', out, '--model', model, '--json',
    '--seed-rng', String(options.seed ?? Math.floor(Math.random() * 2 ** 31))];
  if (options.maxProposals) args.push('--max-proposals', String(options.maxProposals));
  if (options.maxNewTokens) args.push('--max-new-tokens', String(options.maxNewTokens));
  if (options.maxTokens) args.push('--max-tokens', String(options.maxTokens));
  const done = await runSynthChild(vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath, args, basename(seed.fsPath), n);
  if (!done) return undefined;
  await context.workspaceState.update(MODEL_KEY, model);
  const log = outputChannel();
  log.info(`synth: ${summaryLine(done)}`);
  for (const s of done.droppedSamples) log.info(`  dropped (${s.reason}: ${s.detail}): ${JSON.stringify(s.text.slice(0, 200))}`);
  if (!done.out) {
    void vscode.window.showWarningMessage(`No proposal survived the filters (${summaryLine(done)}). Nothing was written; try another model or more proposals.`, 'Show Log')
      .then((c) => { if (c) log.show(); });
    return done;
  }
  const message = `${done.stoppedBy === 'cancelled' ? 'Stopped: ' : ''}${done.kept} new record${done.kept === 1 ? '' : 's'} in ${basename(done.out)} (${summaryLine(done)}). Review them before training.`;
  if (options.open !== false && done.stoppedBy !== 'cancelled') {
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(done.out), PAIR_ANNOTATOR_VIEW_TYPE);
    void vscode.window.showInformationMessage(message);
  } else {
    void vscode.window.showInformationMessage(message, 'Open in Pair Annotator').then((c) => {
      if (c) void vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(done.out!), PAIR_ANNOTATOR_VIEW_TYPE);
    });
  }
  return done;
}

/** "kept 12 of 40 proposals; dropped: near-duplicate-seed 20, degenerate 8". */
export function summaryLine(d: Pick<Done, 'kept' | 'proposals' | 'dropped'>): string {
  const dropped = DROP_REASONS.filter((r) => d.dropped[r]).map((r) => `${r} ${d.dropped[r]}`);
  return `kept ${d.kept} of ${d.proposals} proposal${d.proposals === 1 ? '' : 's'}${dropped.length ? `; dropped: ${dropped.join(', ')}` : ''}`;
}

async function askCount(context: vscode.ExtensionContext): Promise<number | undefined> {
  const last = context.workspaceState.get<number>(COUNT_KEY, 20);
  const v = await vscode.window.showInputBox({
    title: 'Generate Instructions from Seed Tasks', prompt: 'How many new records to keep (after filtering)', value: String(last),
    validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 10_000 ? undefined : 'A whole number from 1 to 10000'),
  });
  if (v === undefined) return undefined;
  await context.workspaceState.update(COUNT_KEY, Number(v));
  return Number(v);
}

/** A folder `--model` accepts: weights directly, or a run's best/ or checkpoint/. */
function hasWeights(dir: string): boolean {
  return ['.', 'best', 'checkpoint', 'checkpoint.old'].some((d) => existsSync(join(dir, d, 'config.json')));
}

async function pickModel(context: vscode.ExtensionContext): Promise<string | undefined> {
  const remembered = context.workspaceState.get<string>(MODEL_KEY);
  const found = await vscode.workspace.findFiles('**/run.json', '**/node_modules/**', 500);
  const runs = (await Promise.all(found.map((u) => readRunSummary(dirname(u.fsPath))))).filter((r) => hasWeights(r.dir))
    .sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  type Item = vscode.QuickPickItem & { dir?: string };
  const items: Item[] = runs.map((r) => ({ label: r.name, description: vscode.workspace.asRelativePath(r.dir), detail: r.dir === remembered ? 'last used' : undefined, dir: r.dir }));
  if (remembered && !isBuiltinModel(remembered) && !runs.some((r) => r.dir === remembered) && hasWeights(remembered)) items.unshift({ label: basename(remembered), description: remembered, detail: 'last used', dir: remembered });
  // The shipped base model (the CLI's default) is always there, so a workspace without runs can still generate.
  items.push({ label: 'Built-in tiny base model', description: `${BUILTIN_PRETRAINED} · pre-trained, byte-level GPT`, detail: remembered === BUILTIN_PRETRAINED ? 'last used' : undefined, dir: BUILTIN_PRETRAINED });
  const last = items.findIndex((i) => i.dir === remembered);
  if (last > 0) items.unshift(...items.splice(last, 1));
  items.push({ label: '$(folder-opened) Browse for a model, checkpoint or run folder…' });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Generate Instructions from Seed Tasks: which model writes them?',
    placeHolder: runs.length ? 'Runs in this workspace, newest first, the built-in base model, or a model folder' : 'The built-in base model, or a model, checkpoint or run folder',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  if (pick.dir) return pick.dir;
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use this model' });
  return uris?.[0]?.fsPath;
}

/** Runs the CLI child under a cancellable progress notification; resolves to its final report line. */
function runSynthChild(cli: string, args: string[], name: string, n: number): Thenable<Done | undefined> {
  const log = outputChannel();
  log.info(`synth: ${cli} ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Generating instructions from ${name}`, cancellable: true }, (progress, token) =>
    new Promise<Done | undefined>((resolve) => {
      const child = fork(cli, args, { silent: true, env: { ...process.env, INSTRUCT_STUDIO_BACKEND: process.env.INSTRUCT_STUDIO_BACKEND ?? 'wasm' } });
      let pending = '';
      let stderr = '';
      let done: Done | undefined;
      let reported = 0;
      let killTimer: NodeJS.Timeout | undefined;
      child.stdout!.on('data', (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines.filter((l) => l.trim())) {
          const r = parseSynthLine(line);
          if (!r || !r.ok) { log.warn(`synth: ignored a line from the child (${r ? r.reason : 'not JSON'}): ${line.slice(0, 200)}`); continue; }
          if (r.message.type === 'done') { done = r.message; continue; }
          const pct = (100 * r.message.kept) / Math.max(1, n);
          progress.report({ increment: pct - reported, message: `${r.message.kept}/${n} kept of ${r.message.proposals} proposals` });
          reported = pct;
        }
      });
      child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
      // The child stops at the next token, writes what it kept and reports; a wasm worker can outlive SIGTERM handlers.
      token.onCancellationRequested(() => {
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      });
      child.on('error', (e) => {
        void vscode.window.showErrorMessage(`Could not run the generation: ${errorMessage(e)}`);
        resolve(undefined);
      });
      child.on('exit', (code) => {
        if (killTimer) clearTimeout(killTimer);
        const lastLines = stderr.split('\n').filter((l) => l.trim() && !/^\d+ proposals, /.test(l)).slice(-6).join('\n');
        if (lastLines) log.info(lastLines);
        if (done) { resolve(done); return; }
        if (token.isCancellationRequested) { log.info('synth: cancelled'); resolve(undefined); return; }
        void vscode.window.showErrorMessage(`Generating instructions failed: ${lastLines.replace(/instruct-studio synth: /g, '') || `exit code ${code}`}`, 'Show Log')
          .then((c) => { if (c) log.show(); });
        resolve(undefined);
      });
    }));
}
