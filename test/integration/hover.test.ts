import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, hasCode, waitForDiagnostics } from './support/diagnostics';
import { extension, requireFeature } from './support/extension';
import { resetDatasetSettings, setDatasetSetting } from './support/settings';
import { closeAllEditors, openInEditor, workspaceFile } from './support/workspace';

async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

/** The record's total tokens and the budget, from the hover's "**total** | **N** / M" row. */
function totalAndBudget(text: string): { total: number; budget: number } {
  const m = /total\**\s*\|\s*\**(\d+)\**\s*\/\s*(\d+)/.exec(text);
  if (!m) throw new Error(`no token total in the hover:\n${text}`);
  return { total: Number(m[1]), budget: Number(m[2]) };
}

describe('hover on a record', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.validateDataset', 'dataset hover (issue 3)');
    await extension().activate();
  });
  afterEach(async () => {
    await resetDatasetSettings('maxTokens');
    await closeAllEditors();
  });

  it('shows the format, token counts and the problems of the line', async () => {
    const uri = workspaceFile('fixtures/alpaca-problems.jsonl');
    await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => hasCode(ds, 3, 'duplicate'), 'the duplicate');
    const text = await hoverText(uri, new vscode.Position(2, 5));
    assert.match(text, /alpaca/);
    assert.match(text, /prompt/);
    assert.match(text, /`duplicate`/, 'lists the problem code of the line');
    const clean = await hoverText(uri, new vscode.Position(1, 5));
    assert.doesNotMatch(clean, /`duplicate`/, 'a clean line lists no problem');
  });

  it('counts tokens the way validation does: a budget one below the hover total makes the record too long', async () => {
    const uri = workspaceFile('fixtures/long-record.jsonl');
    await openInEditor(uri);
    await setDatasetSetting('maxTokens', 4000);
    await waitForDiagnostics(uri, (ds) => ds.length === 0, 'no problem under 4000');
    const { total, budget } = totalAndBudget(await hoverText(uri, new vscode.Position(0, 3)));
    assert.equal(budget, 4000, 'the hover shows the configured budget');
    assert.ok(total > 100, `the long record has many tokens (${total})`);

    // Both ways: over the budget by one token, then exactly at it.
    await setDatasetSetting('maxTokens', total - 1);
    await waitForDiagnostics(uri, (ds) => hasCode(ds, 1, 'too-long'), `too-long at a budget of ${total - 1}`);
    assert.equal(totalAndBudget(await hoverText(uri, new vscode.Position(0, 3))).budget, total - 1);
    await setDatasetSetting('maxTokens', total);
    await waitForDiagnostics(uri, (ds) => !ds.some((d) => codeOf(d) === 'too-long'), `no too-long at a budget equal to the total (${total})`);
  });
});
