import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { closeAllEditors, workspaceFile } from './support/workspace';
import { writeSampleEvaluation } from '../unit/evaluation/fixtures';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function webviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
}

describe('evaluation panel', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.showEvaluation', 'the evaluation panel (issue 9)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('registers Evaluate Model and Show Evaluation', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('instructStudio.evaluateModel'));
    assert.ok(commands.includes('instructStudio.showEvaluation'));
  });

  it('"Show Evaluation" on a saved report opens the Evaluation panel beside the editor, once', async () => {
    const report = writeSampleEvaluation(workspaceFile('scratch/eval-integration-run').fsPath, workspaceFile('multitask-eval.jsonl').fsPath);
    await vscode.commands.executeCommand('instructStudio.showEvaluation', vscode.Uri.file(report));
    const tab = await waitFor(() => webviewTabs().find((t) => t.label === 'Evaluation: eval-integration-run'), 'an Evaluation panel for the run');
    assert.equal((tab.input as vscode.TabInputWebview).viewType.endsWith('instructStudio.evaluation'), true);
    await vscode.commands.executeCommand('instructStudio.showEvaluation', vscode.Uri.file(report));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(webviewTabs().filter((t) => t.label.startsWith('Evaluation')).length, 1, 'the panel is reused');
  });
});

describe('Evaluate Model', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.evaluateModel', 'Evaluate Model (issue 9)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('evaluates a tiny trained run in a child process, saves eval/<stamp>.json beside it and opens the panel', async function () {
    this.timeout(240_000);
    const dir = workspaceFile('scratch/eval-model-it').fsPath;
    mkdirSync(dir, { recursive: true });
    const records = [
      { instruction: 'Reverse the word.', input: 'cat', output: 'tac', task: 'reverse' },
      { instruction: 'Uppercase the word.', input: 'dog', output: 'DOG', task: 'upper' },
      { instruction: 'Write the word backwards.', input: 'sun', output: 'nus', task: 'reverse', unseen: true },
    ];
    writeFileSync(join(dir, 'tiny-train.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(dir, 'tiny-eval.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const cli = join(extension().extensionPath, 'dist', 'cli.js');
    execFileSync(process.execPath, [cli, 'train', '--data', join(dir, 'tiny-train.jsonl'), '--out', join(dir, 'run'), '--steps', '2', '--batch', '2', '--context', '96',
      '--d-model', '16', '--layers', '1', '--heads', '2', '--eval-every', '0', '--exact-match-samples', '1'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', INSTRUCT_STUDIO_BACKEND: 'wasm' }, stdio: 'pipe' });

    const saved = await vscode.commands.executeCommand<string | undefined>('instructStudio.evaluateModel', vscode.Uri.file(join(dir, 'run')), vscode.Uri.file(join(dir, 'tiny-eval.jsonl')));
    assert.ok(saved && saved.startsWith(join(dir, 'run', 'eval')), `saved report: ${saved}`);
    const report = JSON.parse(readFileSync(saved, 'utf8'));
    assert.equal(report.n, 3);
    assert.equal(report.meta.base, 'tiny', 'the run\'s base model is evaluated too');
    assert.ok(report.comparison && report.forgetting, 'deltas vs base and the forgetting probe');
    assert.equal(readFileSync(join(dir, 'run', 'eval', report.meta.generations), 'utf8').trim().split('\n').length, 3);
    await waitFor(() => webviewTabs().find((t) => t.label === 'Evaluation: run'), 'the Evaluation panel for the run');
  });
});
