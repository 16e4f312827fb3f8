import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { closeAllEditors, openInEditor, workspaceFile } from './support/workspace';

function webviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
}

describe('dataset statistics panel', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.showDatasetStats', 'the statistics panel (issue 3)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('"Instruct Studio: Show Dataset Statistics" opens a panel named for the active dataset', async () => {
    await openInEditor(workspaceFile('fixtures/alpaca-problems.jsonl'));
    const before = webviewTabs().length;
    await vscode.commands.executeCommand('instructStudio.showDatasetStats');
    const tab = await waitFor(
      () => webviewTabs().find((t) => t.label.includes('alpaca-problems.jsonl')),
      'a webview tab for alpaca-problems.jsonl',
    );
    assert.match(tab.label, /statistic/i);
    assert.equal(webviewTabs().length, before + 1);
  });

  it('shows a second dataset in its own panel and reuses the panel of the first', async () => {
    await openInEditor(workspaceFile('fixtures/chat-problems.jsonl'));
    await vscode.commands.executeCommand('instructStudio.showDatasetStats');
    await waitFor(() => webviewTabs().find((t) => t.label.includes('chat-problems.jsonl')), 'a panel for chat-problems.jsonl');
    await openInEditor(workspaceFile('fixtures/preference-problems.jsonl'));
    await vscode.commands.executeCommand('instructStudio.showDatasetStats');
    await waitFor(() => webviewTabs().find((t) => t.label.includes('preference-problems.jsonl')), 'a panel for preference-problems.jsonl');
    await openInEditor(workspaceFile('fixtures/chat-problems.jsonl'));
    await vscode.commands.executeCommand('instructStudio.showDatasetStats');
    // Give a duplicate panel the time to appear before counting.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(webviewTabs().filter((t) => t.label.includes('chat-problems.jsonl')).length, 1, 'one panel per dataset');
  });
});
