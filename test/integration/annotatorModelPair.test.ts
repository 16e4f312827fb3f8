// "Build preference pairs from the model" in a real extension host: the checkpoint-backed generator is registered
// (the annotator's state says it can generate), and with a run trained here by the extension's own CLI, a
// generatePair on an instruction record samples two responses in child processes and, once a choice is made in the
// quick picks, appends a prompt/chosen/rejected record to <name>.pairs.jsonl.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HostToWebview } from '../../src/shared/protocol/annotator';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { closeAllEditors, workspaceFile } from './support/workspace';

const VIEW_TYPE = 'instructStudio.pairAnnotator';
const DISPATCH = 'instructStudio.annotator.dispatch';
const LINE = '{"instruction": "Reverse the word: cat", "input": "", "output": "tac"}';

function dispatch(uri: vscode.Uri, message: unknown): Thenable<HostToWebview[]> {
  return vscode.commands.executeCommand<HostToWebview[]>(DISPATCH, uri, message);
}

/** `dist/cli.js train` in a child, as a person would before annotating: a few steps are enough to sample from. */
function trainRun(out: string): Promise<void> {
  const cli = join(extension().extensionPath, 'dist', 'cli.js');
  const data = join(extension().extensionPath, 'media', 'samples', 'multitask-train.jsonl');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, 'train', '--data', data, '--out', out, '--steps', '3', '--batch', '2'], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', INSTRUCT_STUDIO_BACKEND: 'wasm' },
    }, (error, _stdout, stderr) => (error ? reject(new Error(`cli train failed: ${stderr || error.message}`)) : resolve()));
  });
}

describe('pair annotator: build preference pairs from the model', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.openAnnotator', 'the pair annotator (issue 8)');
    await extension().activate();
  });
  afterEach(async () => {
    await closeAllEditors();
  });

  it('samples two responses from a trained run and appends the chosen pair to <name>.pairs.jsonl', async function () {
    this.timeout(400_000);
    const run = workspaceFile(`scratch/model-pair-run-${Date.now()}`);
    await trainRun(run.fsPath);

    const uri = workspaceFile('scratch/model-pair.jsonl');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${LINE}\n`, 'utf8'));
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    const state = await waitFor(async () => (await dispatch(uri, { type: 'ready' })).find((m) => m.type === 'state'), 'the annotator session to start');
    assert.ok(state.type === 'state' && state.canGenerate, 'the model pair generator is registered: the annotator offers generation');

    // Quick picks come one after another: the checkpoint (this run, the newest, is first), then "A is better"
    // (first). Accepting the focused item whenever one is open drives both; with none open the command does nothing.
    let done = false;
    const generation = Promise.resolve(dispatch(uri, { type: 'generatePair', line: 0 })).finally(() => { done = true; });
    while (!done) {
      await new Promise((r) => setTimeout(r, 500));
      if (!done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const replies = await generation;
    const errors = replies.filter((m) => m.type === 'notice' && m.level === 'error');
    assert.deepEqual(errors, [], 'no error notice');

    const pairsUri = workspaceFile('scratch/model-pair.pairs.jsonl');
    const text = await waitFor(async () => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === pairsUri.toString());
      return open ? open.getText() : Buffer.from(await vscode.workspace.fs.readFile(pairsUri)).toString('utf8');
    }, 'the pairs file');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, text);
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(record.prompt, 'Reverse the word: cat');
    assert.equal(typeof record.chosen, 'string');
    assert.equal(typeof record.rejected, 'string');
    assert.equal(record.source_line, 1);
    const generated = record.generated as { model: string; a: { temperature: number; seed: number }; b: { temperature: number; seed: number } };
    assert.equal(generated.model, run.fsPath, 'sampled from the run trained above');
    assert.equal(generated.a.temperature, 0.7);
    assert.equal(generated.b.temperature, 1);
    assert.equal(generated.b.seed, generated.a.seed + 1);
  });
});
