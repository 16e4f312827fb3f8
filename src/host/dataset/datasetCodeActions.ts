// Quick fixes on our diagnostics. The edits come from the pure `quickFixesFor` (src/core/dataset/fixes.ts), computed
// on the line as it is now; the problem's data (misspelled key, suggested role…) comes from the last validation.
import * as vscode from 'vscode';
import type { DatasetFormat, Problem } from '../../core/dataset/types';
import { quickFixesFor, type FixEdit } from '../../core/dataset/fixes';
import { DIAGNOSTIC_SOURCE } from './problemDiagnostics';
import type { DatasetDiagnostics } from './datasetDiagnostics';
import { CONVERTIBLE } from './transformCommands';

export const CONVERT_COMMAND = 'instructStudio.convertDataset';
const CONVERT_KIND = vscode.CodeActionKind.RefactorRewrite.append('instructStudio.convertDataset');

export class DatasetCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, CONVERT_KIND],
  };

  constructor(private readonly diagnostics: DatasetDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const published = this.diagnostics.problemsFor(doc.uri);
    if (!published) return [];
    const actions: vscode.CodeAction[] = [];
    // Lines that are not JSON records would be lost in a conversion, so the core refuses it: do not offer it then.
    const convertible = published.summary.format !== 'unknown'
      && !published.summary.problems.some((p) => p.code === 'json-parse' || p.code === 'not-object');
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const line0 = d.range.start.line;
      if (line0 >= doc.lineCount) continue;
      const problem = matchProblem(published.summary.problems, d);
      if (!problem) continue;
      for (const fix of quickFixesFor(doc.lineAt(line0).text, problem, line0 + 1)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = fix.preferred;
        action.edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) action.edit.replace(doc.uri, editRange(doc, e), e.kind === 'replace' ? e.newText : '');
        actions.push(action);
      }
      const target = problem.code === 'mixed-format' ? problem.data?.expected : undefined;
      if (typeof target === 'string' && convertible) {
        const action = convertAction(doc.uri, target as DatasetFormat, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        actions.push(action);
      }
    }
    // Whole-file conversions to the other formats, only when asked for (Ctrl+. or the Refactor menu), so the
    // lightbulb of an ordinary line is not cluttered.
    if (context.triggerKind === vscode.CodeActionTriggerKind.Invoke && convertible) {
      for (const f of CONVERTIBLE) {
        if (f !== published.summary.format) actions.push(convertAction(doc.uri, f, CONVERT_KIND));
      }
    }
    return actions;
  }
}

function convertAction(uri: vscode.Uri, format: DatasetFormat, kind: vscode.CodeActionKind): vscode.CodeAction {
  const action = new vscode.CodeAction(`Convert the whole file to ${format} (writes a new file)`, kind);
  action.command = { command: CONVERT_COMMAND, title: action.title, arguments: [uri, format, { open: true }] };
  return action;
}

/**
 * The problem a diagnostic shows. Diagnostics move with edits but the stored problems do not, so match on code and
 * message (which name the key, role or first line) and take the nearest line.
 */
export function matchProblem(problems: readonly Problem[], d: vscode.Diagnostic): Problem | undefined {
  const line = d.range.start.line + 1;
  let best: Problem | undefined;
  for (const p of problems) {
    if (p.code !== d.code || p.message !== d.message) continue;
    if (!best || Math.abs(p.line - line) < Math.abs(best.line - line)) best = p;
  }
  return best;
}

function editRange(doc: vscode.TextDocument, e: FixEdit): vscode.Range {
  const line0 = e.line - 1;
  if (e.kind === 'replace') return new vscode.Range(line0, e.startColumn - 1, line0, e.endColumn - 1);
  const line = doc.lineAt(line0);
  // The last line has no break of its own: take the previous line's, so no empty line is left behind.
  if (line0 === doc.lineCount - 1 && line0 > 0) return new vscode.Range(doc.lineAt(line0 - 1).range.end, line.range.end);
  return line.rangeIncludingLineBreak;
}
