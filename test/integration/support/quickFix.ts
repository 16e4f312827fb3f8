// Applying a quick fix as the lightbulb does: ask the providers for quick fixes at the diagnostic's range, take the
// preferred one, apply its edit (and run its command, if any).
import * as vscode from 'vscode';
import { codeOf } from './diagnostics';

function allActionsAt(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Thenable<(vscode.CodeAction | vscode.Command)[] | undefined> {
  return vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    uri,
    diagnostic.range,
    vscode.CodeActionKind.QuickFix.value,
  );
}

export async function quickFixesAt(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions = (await allActionsAt(uri, diagnostic)) ?? [];
  // vscode.executeCodeActionProvider does not hand back an action's diagnostics, and other extensions add their
  // own actions (chat's "Fix"): a quick fix here is one that edits this very file.
  return actions.filter(
    (a): a is vscode.CodeAction => 'kind' in a && !!a.edit && a.edit.entries().some(([u]) => u.toString() === uri.toString()),
  );
}

export async function applyQuickFix(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction> {
  const fixes = await quickFixesAt(uri, diagnostic);
  const fix = fixes.find((a) => a.isPreferred) ?? fixes[0];
  if (!fix) {
    const offered = ((await allActionsAt(uri, diagnostic)) ?? []).map((a) =>
      'kind' in a ? `"${a.title}" for [${(a.diagnostics ?? []).map((d) => `${d.range.start.line + 1}:${codeOf(d)}`).join(', ')}]` : `command "${a.title}"`,
    );
    throw new Error(`no quick fix for ${codeOf(diagnostic)} on line ${diagnostic.range.start.line + 1}; offered: ${offered.join('; ') || 'nothing'}`);
  }
  if (fix.edit && !(await vscode.workspace.applyEdit(fix.edit))) throw new Error(`the edit of "${fix.title}" was not applied`);
  if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
  return fix;
}
