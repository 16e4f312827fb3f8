// Training in the editor: commands, the runs view, the loss chart and its serializer.
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { parseRunConfig, RunConfigError } from '../../core/runs/runConfig';
import type { TrainRequest } from '../../shared/protocol/trainer';
import { PRESETS } from '../../trainer/config';
import { DatasetWorkerClient } from '../dataset/workerClient';
import { errorMessage, outputChannel } from '../log';
import { LossChartPanel } from './lossChartPanel';
import { RunRegistry } from './runRegistry';
import { RunItem, RunsTreeProvider, resolveRunDir } from './runsView';
import { askTrainingRequest } from './startTraining';
import { TrainingController } from './trainingController';

export interface TrainingServices {
  registry: RunRegistry;
  controller: TrainingController;
}

export function registerTraining(context: vscode.ExtensionContext): TrainingServices {
  const uri = context.extensionUri;
  const registry = new RunRegistry(context.workspaceState);
  const controller = new TrainingController(uri, registry);
  const validator = new DatasetWorkerClient(vscode.Uri.joinPath(uri, 'dist', 'datasetWorker.js').fsPath, 'instruct-studio-training-validate', outputChannel());
  const validate = async (path: string) => (await validator.request({ type: 'validateFile', path, options: {}, maxProblems: 20 })).summary;
  const tree = vscode.window.createTreeView('instructStudio.runs', { treeDataProvider: new RunsTreeProvider(registry), canSelectMany: true });

  const trusted = (): boolean => {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage('Training runs code on your machine, so it is disabled in untrusted workspaces. Trust this workspace to train.', 'Manage Workspace Trust')
      .then((c) => { if (c) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return false;
  };
  const run = (request: TrainRequest) => {
    controller.start(request).catch((e) => {
      outputChannel().error(`training: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(`Could not start training: ${errorMessage(e)}`);
    });
  };
  const cmd = (id: string, f: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await f(...args);
    } catch (e) {
      outputChannel().error(`${id}: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(errorMessage(e));
    }
  });

  context.subscriptions.push(
    registry, controller, tree, { dispose: () => validator.dispose() },
    LossChartPanel.registerSerializer(uri, registry),
    cmd('instructStudio.startTraining', async (arg) => {
      if (!trusted()) return;
      if (controller.isTraining) { void vscode.window.showWarningMessage(`A run is already training (${controller.activeRunDir}). Stop it first.`, 'Stop Training').then((c) => c && controller.stop()); return; }
      const dataset = await pickDataset(arg);
      if (!dataset) return;
      const request = await askTrainingRequest(context.workspaceState, dataset, validate);
      if (request) run(request);
    }),
    cmd('instructStudio.startTrainingFromConfig', async (arg) => {
      if (!trusted()) return;
      const file = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!file || !file.fsPath.endsWith('.instruct.json')) { void vscode.window.showInformationMessage('Open or select a run config (*.instruct.json) to start it.'); return; }
      const doc = await vscode.workspace.openTextDocument(file);
      try {
        const c = parseRunConfig(doc.getText(), file.fsPath);
        const resume = await fs.access(join(c.out, 'checkpoint')).then(() => true, () => false);
        run({
          data: c.data, eval: c.eval, evalFraction: c.evalFraction, out: c.out, model: c.model, resume, stage: c.stage,
          ...(c.template === undefined ? {} : { template: c.template }),
          skipInvalid: c.skipInvalid, includeRejected: c.includeRejected, overrides: { ...PRESETS[c.preset], ...(c.evalFraction === undefined ? {} : { evalFraction: c.evalFraction }), ...c.training },
        });
      } catch (e) {
        if (e instanceof RunConfigError) void vscode.window.showErrorMessage(e.message);
        else throw e;
      }
    }),
    cmd('instructStudio.stopTraining', () => {
      if (!controller.stop()) void vscode.window.showInformationMessage('No training run is in progress.');
    }),
    cmd('instructStudio.showLossChart', async (arg) => {
      await registry.refresh();
      const dirs = arg === undefined && controller.activeRunDir ? [controller.activeRunDir] : undefined;
      const picked = dirs ?? (arg === undefined ? undefined : [await resolveRunDir(registry, arg, 'Run to chart')].filter((d): d is string => !!d));
      LossChartPanel.show(uri, registry, picked);
    }),
    cmd('instructStudio.compareRuns', async () => {
      await registry.refresh();
      const selected = tree.selection.map((i) => i.run.dir);
      let dirs = selected.length > 1 ? selected : undefined;
      if (!dirs) {
        const picks = await vscode.window.showQuickPick(registry.list().map((r) => ({ label: r.name, description: r.status, detail: r.dir, picked: selected.includes(r.dir) })), { canPickMany: true, placeHolder: 'Runs to overlay on one chart' });
        dirs = picks?.map((p) => p.detail!);
      }
      if (dirs?.length) LossChartPanel.show(uri, registry, dirs);
    }),
    cmd('instructStudio.resumeRun', async (arg) => {
      if (!trusted()) return;
      const dir = await resolveRunDir(registry, arg, 'Run to resume');
      if (!dir) return;
      const info = JSON.parse(await fs.readFile(join(dir, 'run.json'), 'utf8')) as { dataset?: string; eval?: string | null; model?: string; stage?: TrainRequest['stage'] };
      if (!info.dataset) throw new Error(`${join(dir, 'run.json')}: no "dataset" to resume with`);
      run({ data: info.dataset, eval: info.eval ?? undefined, out: dir, model: info.model ?? 'tiny', resume: true, skipInvalid: true, includeRejected: false, overrides: {}, ...(info.stage ? { stage: info.stage } : {}) });
    }),
    cmd('instructStudio.openRunFolder', async (arg) => {
      const dir = await resolveRunDir(registry, arg, 'Run folder to reveal');
      if (dir) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dir)).then(undefined, () => vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir)));
    }),
    cmd('instructStudio.deleteRun', async (arg) => {
      const dir = await resolveRunDir(registry, arg, 'Run to delete');
      if (!dir) return;
      if (dir === controller.activeRunDir) { void vscode.window.showWarningMessage('This run is training; stop it before deleting it.'); return; }
      const ok = await vscode.window.showWarningMessage(`Delete the run folder ${dir} with its checkpoints and metrics?`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return;
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true, useTrash: true });
      await registry.forget(dir);
    }),
    cmd('instructStudio.refreshRuns', () => registry.refresh()),
  );
  void registry.refresh();
  return { registry, controller };
}

/** The dataset to train on: the explorer's file, the active editor's, or a pick among the workspace's JSONL files. */
async function pickDataset(arg: unknown): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg instanceof RunItem) return undefined;
  const active = vscode.window.activeTextEditor?.document;
  if (active && /\.jsonl?$/i.test(active.fileName) && active.uri.scheme === 'file') {
    if (active.isDirty) await active.save();
    return active.fileName;
  }
  const files = await vscode.workspace.findFiles('**/*.{jsonl,json}', '{**/node_modules/**,**/runs/**,**/.git/**,**/*.instruct.json,**/package*.json,**/tsconfig*.json}', 500);
  if (files.length === 0) { void vscode.window.showInformationMessage('No dataset found: open a JSONL file of instruction records first.'); return undefined; }
  const pick = await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { placeHolder: 'Dataset to train on' });
  return pick?.uri.fsPath;
}
