// Core problems as editor diagnostics: 1-based line/column become 0-based ranges, severities map one to one, and the
// problem code is the diagnostic code so integration tests and quick fixes can rely on it.
import * as vscode from 'vscode';
import type { Problem, Severity } from '../../core/dataset/types';

export const DIAGNOSTIC_SOURCE = 'instruct-studio';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** `lineLength(line0)` gives a line's length when the problem runs "to the end of the line"; undefined = unknown. */
export function problemRange(p: Problem, lineLength: (line0: number) => number | undefined): vscode.Range {
  const line = p.line - 1;
  const start = p.column - 1;
  // Without the text (a file validated from disk) the editor clamps an over-long range to the line's end.
  const end = p.endColumn !== undefined ? p.endColumn - 1 : lineLength(line) ?? Number.MAX_SAFE_INTEGER;
  return new vscode.Range(line, start, line, Math.max(start, end));
}

export function toDiagnostic(p: Problem, lineLength: (line0: number) => number | undefined): vscode.Diagnostic {
  const d = new vscode.Diagnostic(problemRange(p, lineLength), p.message, SEVERITY[p.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = p.code;
  return d;
}

export function documentLineLength(doc: vscode.TextDocument): (line0: number) => number | undefined {
  return (line0) => (line0 >= 0 && line0 < doc.lineCount ? doc.lineAt(line0).text.length : undefined);
}
