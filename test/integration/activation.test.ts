import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, manifest } from './support/extension';
import { waitFor } from './support/waitFor';

describe('activation', () => {
  it('activates by itself in a workspace that contains .jsonl files', async () => {
    assert.ok(manifest().activationEvents?.includes('workspaceContains:**/*.jsonl'), 'activation event is declared');
    const jsonl = await vscode.workspace.findFiles('**/*.jsonl', undefined, 1);
    assert.equal(jsonl.length, 1, 'the test workspace holds .jsonl files');
    // No explicit activate(): the workspaceContains event alone must start the extension.
    await waitFor(() => (extension().isActive ? true : undefined), 'the extension to activate', { timeoutMs: 20_000 });
  });

  it('activates without throwing when asked directly', async () => {
    await extension().activate();
    assert.equal(extension().isActive, true);
  });
});
