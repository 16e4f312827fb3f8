// "Build preference pairs from the model": sample two responses for an instruction record through the registered
// generator, let the person pick, append the pair to a preference file beside the dataset.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { buildPreferenceRecord, type PreferenceChoice } from '../../core/annotate/bulk';
import { isPlainObject, recordKind } from '../../core/annotate/recordKind';
import { pairGenerator } from './pairGenerator';

type Notify = (level: 'info' | 'error', message: string) => void;

/** The prompt of an instruction record as the model should see it. */
export function promptOf(record: Record<string, unknown>): string | unknown[] | undefined {
  switch (recordKind(record)) {
    case 'alpaca':
      if (typeof record.instruction !== 'string') return undefined;
      return typeof record.input === 'string' && record.input.trim() !== '' ? `${record.instruction}\n\n${record.input}` : record.instruction;
    case 'completion':
    case 'preference':
    case 'ranking':
      return typeof record.prompt === 'string' || Array.isArray(record.prompt) ? record.prompt : undefined;
    case 'chat': {
      const msgs = Array.isArray(record.messages) ? record.messages : [];
      const last = msgs[msgs.length - 1];
      return isPlainObject(last) && last.role === 'assistant' ? msgs.slice(0, -1) : msgs;
    }
    default:
      return undefined;
  }
}

/** Appends one JSON line to `target`, through the open document when there is one (so it can be undone). */
export async function appendRecord(target: vscode.Uri, record: unknown): Promise<void> {
  const line = JSON.stringify(record);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (open) {
    const last = open.lineAt(open.lineCount - 1);
    const prefix = last.text === '' ? '' : '\n';
    const edit = new vscode.WorkspaceEdit();
    edit.insert(target, last.range.end, `${prefix}${line}\n`);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${basename(target.path)}: could not append the pair`);
    return;
  }
  let existing = '';
  try {
    existing = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
  } catch {
    // a new file
  }
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await vscode.workspace.fs.writeFile(target, Buffer.from(`${existing}${sep}${line}\n`, 'utf8'));
}

const CHOICES: Array<vscode.QuickPickItem & { choice: PreferenceChoice }> = [
  { label: 'A is better', choice: 'a' },
  { label: 'B is better', choice: 'b' },
  { label: 'Tie', description: 'kept, marked tie (training skips it)', choice: 'tie' },
  { label: 'Both bad', description: 'kept, marked both-bad (training skips it)', choice: 'both-bad' },
];

export async function generatePairFor(document: vscode.TextDocument, line: number, notify: Notify): Promise<void> {
  const name = basename(document.uri.path);
  const generator = pairGenerator();
  if (!generator) {
    notify('error', 'Generating pairs needs a trained checkpoint: train a model first (the trainer registers the generator when one is ready).');
    return;
  }
  let record: unknown;
  try {
    record = JSON.parse(document.lineAt(line).text);
  } catch {
    throw new Error(`${name}:${line + 1}: not valid JSON`);
  }
  const prompt = isPlainObject(record) ? promptOf(record) : undefined;
  if (prompt === undefined) throw new Error(`${name}:${line + 1}: the record has no prompt to generate responses for`);
  const pair = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Sampling two responses…', cancellable: true },
    (_p, token) => generator.generate(prompt, token, isPlainObject(record) ? record : undefined),
  );
  const pick = await vscode.window.showQuickPick(CHOICES.map((c) => ({ ...c, detail: c.choice === 'a' ? pair.a : c.choice === 'b' ? pair.b : undefined })), {
    title: 'Which response is better?', placeHolder: 'A and B are shown under their choices', ignoreFocusOut: true,
  });
  if (!pick) return;
  const target = vscode.Uri.joinPath(document.uri, '..', `${name.replace(/\.jsonl$/i, '')}.pairs.jsonl`);
  await appendRecord(target, buildPreferenceRecord(prompt, pair.a, pair.b, pick.choice, { generated: pair.provenance, source_line: line + 1 }));
  notify('info', `Appended a preference pair to ${basename(target.path)}.`);
}
