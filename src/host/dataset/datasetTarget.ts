// Which dataset file a command acts on: the explorer's selection, else the active editor (or the active tab, for
// files too big to be synced), else one the user picks.
import * as vscode from 'vscode';

const DATASET_FILE = /\.(jsonl|json)$/i;

/** `arg`/`selection` are what VS Code passes from the explorer context menu (the clicked file, all selected files). */
export async function datasetTargets(arg: unknown, selection: unknown, openLabel: string): Promise<vscode.Uri[]> {
  if (Array.isArray(selection) && selection.length > 0 && selection.every((u) => u instanceof vscode.Uri)) return selection as vscode.Uri[];
  if (arg instanceof vscode.Uri) return [arg];
  const active = activeDataset();
  if (active) return [active];
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel,
    filters: { 'Instruction datasets': ['jsonl', 'json'] },
  });
  return picked ?? [];
}

export async function datasetTarget(arg: unknown, openLabel: string): Promise<vscode.Uri | undefined> {
  return (await datasetTargets(arg, undefined, openLabel))[0];
}

function activeDataset(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && DATASET_FILE.test(doc.uri.path)) return doc.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText && DATASET_FILE.test(input.uri.path)) return input.uri;
  return undefined;
}
