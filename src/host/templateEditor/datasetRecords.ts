// The records the preview renders: from the open document when the dataset is open in an editor (unsaved edits
// included), else from the file. Parsing is bounded so a huge dataset cannot stall the extension host.
import * as vscode from 'vscode';
import { parseDataset, type ParsedRecord } from '../../core/dataset/index';

/** Only the head of a bigger dataset is previewed: records are stepped through one by one anyway. */
const MAX_PREVIEW_BYTES = 16 * 1024 * 1024;

export interface PreviewDataset {
  uri: vscode.Uri;
  label: string;
  records: ParsedRecord[];
  /** The file was bigger than what was read. */
  partial: boolean;
}

export async function loadPreviewDataset(uri: vscode.Uri): Promise<PreviewDataset> {
  const label = uri.path.split('/').pop() ?? uri.toString();
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  let text: string;
  let partial = false;
  if (open) text = open.getText();
  else {
    const bytes = await vscode.workspace.fs.readFile(uri);
    partial = bytes.length > MAX_PREVIEW_BYTES;
    text = new TextDecoder().decode(partial ? bytes.subarray(0, MAX_PREVIEW_BYTES) : bytes);
  }
  if (partial || text.length > MAX_PREVIEW_BYTES) {
    // a JSONL head ends at its last complete line
    text = text.slice(0, Math.min(text.length, MAX_PREVIEW_BYTES));
    text = text.slice(0, text.lastIndexOf('\n') + 1);
    partial = true;
  }
  return { uri, label, records: parseDataset(text, { file: uri.path }), partial };
}

export function isDatasetUri(uri: vscode.Uri): boolean {
  return /\.jsonl$/i.test(uri.path);
}

/** The dataset the user is looking at: the active editor's, else a visible one, else an open tab's. */
export function activeDatasetUri(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isDatasetUri(active)) return active;
  const visible = vscode.window.visibleTextEditors.map((e) => e.document.uri).find(isDatasetUri);
  if (visible) return visible;
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    const input = tab.input;
    const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
    if (uri && isDatasetUri(uri)) return uri;
  }
  return undefined;
}

export async function pickDatasetUri(): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles('**/*.jsonl', '**/node_modules/**', 500);
  const browse = { label: '$(folder-opened) Choose a file…', uri: undefined as vscode.Uri | undefined };
  const items = [
    ...found
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((uri) => ({ label: uri.path.split('/').pop()!, description: vscode.workspace.asRelativePath(uri), uri })),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Preview the template on records of…', placeHolder: 'a JSONL dataset' });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'JSON Lines datasets': ['jsonl'] }, title: 'Dataset to preview' });
  return chosen?.[0];
}
