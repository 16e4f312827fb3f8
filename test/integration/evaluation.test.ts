import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { closeAllEditors, workspaceFile } from './support/workspace';
import { writeSampleEvaluation } from '../unit/evaluation/fixtures';

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
