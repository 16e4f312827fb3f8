// Files of the test workspace (a fresh temp folder per run: bundled samples at the root, fixtures under
// fixtures/). Tests that edit a file work on their own copy under scratch/, so they cannot disturb each other.
import * as vscode from 'vscode';

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration tests need a folder open (runInServer.ts and runWithElectron.ts open one)');
  return folder.uri;
}

export function workspaceFile(relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relativePath.split('/'));
}

let copies = 0;

/** A fresh copy of a workspace file, named so it keeps its extension (and so its language and detection). */
export async function scratchCopy(relativePath: string): Promise<vscode.Uri> {
  const name = relativePath.split('/').pop()!;
  const target = workspaceFile(`scratch/${++copies}-${name}`);
  await vscode.workspace.fs.copy(workspaceFile(relativePath), target, { overwrite: true });
  return target;
}

export async function openInEditor(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Saves first: closing a dirty editor would wait on a "Save changes?" dialog. Tests only edit scratch copies. */
export async function closeAllEditors(): Promise<void> {
  await vscode.workspace.saveAll(false);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
