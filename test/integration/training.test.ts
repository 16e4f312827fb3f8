// Training as the editor drives it: Start Training with Enter at every step, Stop, Resume, a trainer child killed
// under the run, and run config files. Runs are tiny (20 records); the trainer is real, so the waits are generous
// (a loaded 2-core machine takes tens of seconds per run) but bounded.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { openInEditor, workspaceFile } from './support/workspace';

interface RunJson { status: string; pid: number | null; reason: string | null; config: { steps: number; evalFraction: number; evalEvery: number }; model: string }
interface Row { step: number; split?: string }

const SLOW = { timeoutMs: 240_000, intervalMs: 500 };
const enc = new TextEncoder();

function runJson(dir: string): RunJson | undefined {
  try { return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunJson; } catch { return undefined; }
}
function trainRows(dir: string): Row[] {
  if (!existsSync(join(dir, 'metrics.jsonl'))) return [];
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row).filter((r) => r.split !== 'eval');
}
function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}
async function write(relative: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(relative);
  await vscode.workspace.fs.writeFile(uri, enc.encode(text));
  return uri;
}
/** Runs a command that asks through quick picks / input boxes, pressing Enter (accept) until it returns. */
async function acceptEveryStep(command: string): Promise<void> {
  let done = false;
  const p = Promise.resolve(vscode.commands.executeCommand(command)).finally(() => { done = true; });
  const deadline = Date.now() + 90_000;
  while (!done && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 700));
    if (!done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  await p;
}

describe('training', function () {
  this.timeout(300_000);
  const root = () => workspaceFile('training').fsPath;
  let dataset: vscode.Uri;
  let runDir = '';
  let trainerPid = 0;

  before(async function () {
    requireFeature(this, 'instructStudio.startTraining', 'training from the command palette (issue 6)');
    await extension().activate();
    // 20 records of the bundled multitask set: the trainer's smallest honest run. Named without "-train" so no eval
    // file is guessed beside it and the default evaluation split is the held-out fraction.
    const lines = readFileSync(workspaceFile('multitask-train.jsonl').fsPath, 'utf8').split('\n').slice(0, 20);
    dataset = await write('training/tiny.jsonl', `${lines.join('\n')}\n`);
  });
  after(async () => {
    await vscode.commands.executeCommand('instructStudio.stopTraining');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Start Training with Enter at every step starts the quick preset in a new run folder', async () => {
    // A fresh test workspace has no remembered choices, so Enter takes the built-in defaults.
    await openInEditor(dataset);
    await acceptEveryStep('instructStudio.startTraining');
    const runs = join(root(), 'runs');
    const name = await waitFor(() => (existsSync(runs) ? readdirSync(runs)[0] : undefined), 'a run folder under training/runs', SLOW);
    assert.match(name, /^tiny-\d{8}-\d{6}$/);
    runDir = join(runs, name);
    const info = await waitFor(() => runJson(runDir), 'run.json', SLOW);
    assert.equal(info.model, 'tiny');
    assert.equal(info.config.steps, 200, 'the quick preset');
    await waitFor(() => (trainRows(runDir).length > 0 ? true : undefined), 'a train row in metrics.jsonl', SLOW);
    // The default split holds out 10%: 2 of the 20 records are evaluated before training, and the run's saved
    // config says so (a resume reads the split from it).
    assert.equal(info.config.evalFraction, 0.1);
    const firstEval = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { split?: string; per_task?: Record<string, { n: number }> })[0];
    assert.equal(firstEval.split, 'eval');
    assert.equal(Object.values(firstEval.per_task ?? {}).reduce((n, t) => n + t.n, 0), 2, 'the default held-out fraction (10% of 20)');
    const running = runJson(runDir);
    assert.equal(running?.status, 'running');
    trainerPid = running?.pid ?? 0;
    assert.ok(trainerPid > 0, 'run.json names the trainer child');
  });

  it('Stop Training checkpoints and marks the run stopped', async () => {
    assert.ok(runDir, 'the previous test started a run');
    await vscode.commands.executeCommand('instructStudio.stopTraining');
    const info = await waitFor(() => (runJson(runDir)?.status === 'stopped' ? runJson(runDir) : undefined), 'status stopped', SLOW);
    assert.equal(info.pid, null);
    const state = JSON.parse(readFileSync(join(runDir, 'checkpoint', 'training_state.json'), 'utf8')) as { step: number };
    assert.ok(state.step >= 1, `checkpoint at step ${state.step}`);
    // The child writes "stopped" just before it exits; the run is over for the editor once the process is gone.
    await waitFor(() => (alive(trainerPid) ? undefined : true), 'the trainer child to exit', SLOW);
    await new Promise((r) => setTimeout(r, 1000));
  });

  it('Resume continues from the checkpoint step, then a killed trainer child marks the run failed', async () => {
    const before = trainRows(runDir);
    const stoppedAt = (JSON.parse(readFileSync(join(runDir, 'checkpoint', 'training_state.json'), 'utf8')) as { step: number }).step;
    await vscode.commands.executeCommand('instructStudio.resumeRun', vscode.Uri.file(runDir));
    const info = await waitFor(() => {
      const r = runJson(runDir);
      if (r?.status === 'running' && r.pid && r.pid !== trainerPid) return r;
      throw new Error(`run.json: ${JSON.stringify({ status: r?.status, pid: r?.pid, reason: r?.reason })}`);
    }, 'the resumed run running with a new trainer child', SLOW);
    await waitFor(() => (trainRows(runDir).length > before.length ? true : undefined), 'a train row after resuming', SLOW);
    const after = trainRows(runDir).slice(before.length);
    assert.ok(after.every((r) => r.step > stoppedAt), `steps after resuming (${after.map((r) => r.step).join(',')}) continue after ${stoppedAt}`);

    // The child dies without a word (as when the OS kills it for memory): the host marks the run failed.
    process.kill(info.pid!, 'SIGKILL');
    const failed = await waitFor(() => (runJson(runDir)?.status === 'failed' ? runJson(runDir) : undefined), 'status failed', SLOW);
    assert.match(failed.reason ?? '', /SIGKILL|killed/i);
    assert.ok(existsSync(join(runDir, 'checkpoint', 'training_state.json')), 'the last checkpoint is kept');
    // The host is healthy and no longer training: the runs view lists the run as failed.
    await vscode.commands.executeCommand('instructStudio.refreshRuns');
  });

  it('a run config file starts a run with its settings', async () => {
    const config = await write('training/tiny.instruct.json', JSON.stringify({
      data: 'tiny.jsonl', out: 'runs-config/a', evalFraction: 0.1,
      training: { steps: 3, logEvery: 1, evalEvery: 0, exactMatchSamples: 0, seed: 7 },
    }));
    await vscode.commands.executeCommand('instructStudio.startTrainingFromConfig', config);
    const dir = join(root(), 'runs-config', 'a');
    const info = await waitFor(() => (runJson(dir)?.status === 'finished' ? runJson(dir) : undefined), 'the config run to finish', SLOW);
    assert.equal(info.config.steps, 3);
    assert.equal(info.config.evalFraction, 0.1);
    assert.deepEqual(trainRows(dir).map((r) => r.step), [1, 2, 3]);
  });

  it('a run config with a bad field starts nothing', async () => {
    const config = await write('training/bad.instruct.json', JSON.stringify({ data: 'tiny.jsonl', out: 'runs-config/bad', training: { steps: 'three' } }));
    await vscode.commands.executeCommand('instructStudio.startTrainingFromConfig', config);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(existsSync(join(root(), 'runs-config', 'bad')), false);
  });
});
