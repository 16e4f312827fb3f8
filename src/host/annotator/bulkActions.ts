// Bulk actions on the records of the current filter. Accept-all is one WorkspaceEdit (one undo step); export
// and conversion write new files and never touch the open one.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { acceptAll, exportAccepted, toPreferenceRecords, type LineText } from '../../core/annotate/bulk';
import type { BulkOp } from '../../shared/protocol/annotator';
import { applyLineChanges } from './lineEdits';

type Notify = (level: 'info' | 'error', message: string) => void;

function linesOf(document: vscode.TextDocument, lines: readonly number[]): LineText[] {
  return lines.map((line) => ({ line, text: document.lineAt(line).text }));
}

/** `data.jsonl` → `data.<suffix>.jsonl` beside it. */
function sibling(uri: vscode.Uri, suffix: string): vscode.Uri {
  const name = basename(uri.path).replace(/\.jsonl$/i, '');
  return vscode.Uri.joinPath(uri, '..', `${name}.${suffix}.jsonl`);
}

async function writeNewFile(target: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  await vscode.window.showTextDocument(target, { viewColumn: vscode.ViewColumn.Beside, preview: false });
}

export async function runBulk(op: BulkOp, document: vscode.TextDocument, filtered: readonly number[], notify: Notify, options: { target?: vscode.Uri; confirm?: boolean } = {}): Promise<void> {
  const name = basename(document.uri.path);
  if (filtered.length === 0) {
    notify('info', 'No records in the current filter.');
    return;
  }
  switch (op) {
    case 'acceptAll': {
      const { edits, skipped } = acceptAll(linesOf(document, filtered));
      if (edits.length === 0) {
        notify('info', `All ${filtered.length} records in the filter are already accepted${skipped.length ? ` (${skipped.length} could not be)` : ''}.`);
        return;
      }
      if (options.confirm !== false) {
        const go = await vscode.window.showWarningMessage(`Accept ${edits.length} records in the current filter of ${name}? (One undo step.)`, { modal: true }, 'Accept All');
        if (go !== 'Accept All') return;
      }
      if (!(await applyLineChanges(document, edits))) throw new Error(`${name}: accept all was not applied (is the file read-only?)`);
      const first = skipped[0];
      notify('info', `Accepted ${edits.length} records.${first ? ` Skipped ${skipped.length}, e.g. ${name}:${first.line + 1}: ${first.reason}.` : ''}`);
      return;
    }
    case 'exportAccepted': {
      const { text, count } = exportAccepted(linesOf(document, filtered));
      if (count === 0) {
        notify('info', 'No accepted records in the current filter to export.');
        return;
      }
      const target = options.target ?? await vscode.window.showSaveDialog({ defaultUri: sibling(document.uri, 'accepted'), filters: { 'JSON Lines': ['jsonl'] }, title: `Export ${count} accepted records` });
      if (!target) return;
      await writeNewFile(target, text);
      notify('info', `Exported ${count} accepted records to ${basename(target.path)}.`);
      return;
    }
    case 'toPreference': {
      const { records, skipped } = toPreferenceRecords(linesOf(document, filtered));
      if (records.length === 0) {
        const first = skipped[0];
        notify('error', `No preference pairs can be built from the current filter${first ? ` (e.g. ${name}:${first.line + 1}: ${first.reason})` : ''}. Pairs come from preference records, ranked responses, or accepted and rejected answers to the same prompt.`);
        return;
      }
      const target = options.target ?? await vscode.window.showSaveDialog({ defaultUri: sibling(document.uri, 'preference'), filters: { 'JSON Lines': ['jsonl'] }, title: `Save ${records.length} preference pairs` });
      if (!target) return;
      await writeNewFile(target, `${records.join('\n')}\n`);
      notify('info', `Wrote ${records.length} preference pairs to ${basename(target.path)}; ${skipped.length} records gave no pair.`);
      return;
    }
  }
}
