// Turns new line texts into one WorkspaceEdit that replaces only the characters that differ, so the document's
// undo stack, dirty state and a side-by-side text editor see the smallest possible change.
import * as vscode from 'vscode';
import type { LineText } from '../../core/annotate/bulk';

/** The differing middle of `before` → `after`, as [start, endInBefore, replacement]. */
export function minimalReplacement(before: string, after: string): [number, number, string] {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) { endB--; endA--; }
  return [start, endB, after.slice(start, endA)];
}

export function lineEdit(document: vscode.TextDocument, changes: readonly LineText[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const { line, text } of changes) {
    const before = document.lineAt(line).text;
    if (before === text) continue;
    const [s, e, replacement] = minimalReplacement(before, text);
    edit.replace(document.uri, new vscode.Range(line, s, line, e), replacement);
  }
  return edit;
}

export async function applyLineChanges(document: vscode.TextDocument, changes: readonly LineText[]): Promise<boolean> {
  const edit = lineEdit(document, changes);
  if (edit.size === 0) return true;
  return vscode.workspace.applyEdit(edit);
}
