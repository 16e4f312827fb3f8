// The training stage as the editor picks it: a preference file trains DPO with Enter at every step (DPO is
// preselected), and a run config with "stage": "dpo" starts a DPO run whose rows carry TRL's reward statistics.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { openInEditor, workspaceFile } from './support/workspace';

const SLOW = { timeoutMs: 240_000, intervalMs: 500 };

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function json<T>(path: string): T | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as T; } catch { return undefined; }
}
function rows(dir: string): Array<Record<string, unknown>> {
  if (!existsSync(join(dir, 'metrics.jsonl'))) return [];
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('training stage from the dataset format', function () {
  this.timeout(300_000);
  let prefs: vscode.Uri;

  before(async function () {
    requireFeature(this, 'instructStudio.startTraining', 'training from the command palette (issue 6)');
    await extension().activate();
    // String prompts only: a few records of the bundled preference sample.
    const lines = readFileSync(workspaceFile('preference.jsonl').fsPath, 'utf8').split('\n').filter((l) => l.startsWith('{"prompt":"')).slice(0, 12);
    prefs = workspaceFile('stage/prefs.jsonl');
    await vscode.workspace.fs.writeFile(prefs, new TextEncoder().encode(`${lines.join('\n')}\n`));
  });
  after(async () => {
    await vscode.commands.executeCommand('instructStudio.stopTraining');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Start Training on preference pairs with Enter at every step runs DPO', async () => {
    await openInEditor(prefs);
    let done = false;
    const p = Promise.resolve(vscode.commands.executeCommand('instructStudio.startTraining')).finally(() => { done = true; });
    const deadline = Date.now() + 90_000;
    while (!done && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 700));
      if (!done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    await p;
    const runs = join(workspaceFile('stage').fsPath, 'runs');
    const dir = await waitFor(() => {
      const names = existsSync(runs) ? readdirSync(runs) : [];
      return names.length ? join(runs, names[0]) : undefined;
    }, 'a run folder', SLOW);
    const info = await waitFor(() => json<{ stage?: string }>(join(dir, 'run.json')), 'run.json', SLOW);
    assert.equal(info.stage, 'dpo');
    const pid = json<{ pid?: number }>(join(dir, 'run.json'))?.pid ?? 0;
    await vscode.commands.executeCommand('instructStudio.stopTraining');
    await waitFor(() => (json<{ status: string }>(join(dir, 'run.json'))?.status === 'running' ? undefined : true), 'the run to stop', SLOW);
    // The next test starts another run, which is refused while this one's child is still exiting.
    await waitFor(() => (pid > 0 && alive(pid) ? undefined : true), 'the trainer child to exit', SLOW);
    await new Promise((r) => setTimeout(r, 1000));
  });

  it('a run config with "stage": "dpo" trains DPO and logs reward statistics', async () => {
    const config = workspaceFile('stage/dpo.instruct.json');
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify({
      data: 'prefs.jsonl', out: 'runs-config/dpo', stage: 'dpo', evalFraction: 0,
      training: { steps: 2, logEvery: 1, evalEvery: 0, exactMatchSamples: 0, seed: 3 },
    })));
    await vscode.commands.executeCommand('instructStudio.startTrainingFromConfig', config);
    const dir = join(workspaceFile('stage').fsPath, 'runs-config', 'dpo');
    await waitFor(() => (json<{ status: string }>(join(dir, 'run.json'))?.status === 'finished' ? true : undefined), 'the DPO config run to finish', SLOW);
    assert.equal(json<{ stage?: string }>(join(dir, 'run.json'))?.stage, 'dpo');
    const train = rows(dir).filter((r) => r.split !== 'eval');
    assert.deepEqual(train.map((r) => r.step), [1, 2]);
    assert.ok(train.every((r) => typeof r['rewards/accuracies'] === 'number' && typeof r['rewards/margins'] === 'number'));
  });
});
