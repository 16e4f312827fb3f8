// The annotator's pair generator backed by a trained checkpoint: which checkpoint is asked once per window session
// (runs in the workspace, newest first, the last one used on top, or a folder), then every pair is sampled by
// src/trainer/pairSampling.ts in child processes, so no model work happens in the extension host.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readRunSummary } from '../../core/runs/runFolder';
import { PairSamplingCancelled, samplePair } from '../../trainer/pairSampling';
import { registerPairGenerator, type GeneratedPair, type PairGenerator } from './pairGenerator';

const MEMORY_KEY = 'instructStudio.annotator.pairModel';

/** What a bare prompt stands for as a record, so the CLI renders it with the training template. */
export function recordForPrompt(prompt: string | unknown[]): Record<string, unknown> {
  return Array.isArray(prompt) ? { messages: prompt } : { instruction: prompt, input: '' };
}

/** A run folder's weights as `--model` resolves them: best/ first, else the latest checkpoint/. */
function hasWeights(runDir: string): boolean {
  // A LoRA run's checkpoints are PEFT adapter folders (adapter_config.json), loaded onto their base.
  return ['best', 'checkpoint', 'checkpoint.old'].some((d) => existsSync(join(runDir, d, 'config.json')) || existsSync(join(runDir, d, 'adapter_config.json')));
}

interface ModelItem extends vscode.QuickPickItem { dir?: string }

async function pickModel(context: vscode.ExtensionContext): Promise<string | undefined> {
  const remembered = context.workspaceState.get<string>(MEMORY_KEY);
  const found = await vscode.workspace.findFiles('**/run.json', '**/node_modules/**', 500);
  const runs = await Promise.all(found.map((u) => readRunSummary(dirname(u.fsPath))));
  const usable = runs.filter((r) => hasWeights(r.dir)).sort((x, y) => (y.startedAt ?? '').localeCompare(x.startedAt ?? ''));
  const items: ModelItem[] = usable.map((r) => ({
    label: r.name,
    description: [r.dir === remembered ? 'last used' : '', vscode.workspace.asRelativePath(r.dir), r.status].filter(Boolean).join(' · '),
    detail: r.bestEvalLoss !== undefined ? `best eval loss ${r.bestEvalLoss.toFixed(3)}` : undefined,
    dir: r.dir,
  }));
  const lastIndex = items.findIndex((i) => i.dir === remembered);
  if (lastIndex > 0) items.unshift(...items.splice(lastIndex, 1));
  else if (lastIndex < 0 && remembered && existsSync(remembered)) items.unshift({ label: remembered.split(/[\\/]/).pop() ?? remembered, description: `last used · ${remembered}`, dir: remembered });
  items.push({ label: '$(folder-opened) Browse for a model, checkpoint or run folder…' });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Build preference pairs: sample from which checkpoint?',
    placeHolder: usable.length ? 'Runs in this workspace, newest first (a run answers with its best/ or latest checkpoint/)' : 'No trained run in this workspace: train a model first, or browse for a model folder',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  if (pick.dir) return pick.dir;
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Model, checkpoint or run folder' });
  return uris?.[0]?.fsPath;
}

export function createModelPairGenerator(context: vscode.ExtensionContext): PairGenerator {
  let chosen: string | undefined;
  return {
    async generate(prompt, token, record?: Record<string, unknown>): Promise<GeneratedPair> {
      chosen ??= await pickModel(context);
      if (!chosen) throw new Error('No checkpoint chosen: nothing was generated.');
      const model = chosen;
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        const pair = await samplePair({
          cli: vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath,
          model,
          record: record ?? recordForPrompt(prompt),
          seed: Math.floor(Math.random() * 2 ** 31),
          signal: abort.signal,
        });
        // Remembered only once it has worked, so a broken folder is not offered as "last used".
        await context.workspaceState.update(MEMORY_KEY, model);
        return pair;
      } catch (e) {
        if (e instanceof PairSamplingCancelled) throw new Error('Sampling was cancelled: nothing was appended.');
        // A broken or vanished checkpoint: ask again next time rather than fail the same way forever.
        chosen = undefined;
        throw new Error(`Could not sample from ${model}: ${(e as Error).message}`);
      } finally {
        sub.dispose();
      }
    },
  };
}

/** Registers the generator (so the annotator's "generate pair" button is enabled) in trusted workspaces only: it runs a child process. */
export function registerModelPairGenerator(context: vscode.ExtensionContext): vscode.Disposable {
  let registration: { dispose(): void } | undefined;
  const register = () => { registration ??= registerPairGenerator(createModelPairGenerator(context)); };
  if (vscode.workspace.isTrusted) register();
  const trust = vscode.workspace.onDidGrantWorkspaceTrust(register);
  return new vscode.Disposable(() => { trust.dispose(); registration?.dispose(); });
}
