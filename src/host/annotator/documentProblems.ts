// The validator's problems for the annotator come from the diagnostics the dataset features already publish
// for the document, so validation runs once (off the host thread, in their worker) and both views agree.
import * as vscode from 'vscode';
import type { ProblemView } from '../../core/annotate/recordView';

export interface LineProblems {
  codes: string[];
  problems: ProblemView[];
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  if (c === undefined) return d.source ?? 'problem';
  return typeof c === 'object' ? String(c.value) : String(c);
}

const SEVERITY: Record<vscode.DiagnosticSeverity, ProblemView['severity']> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'info',
};

/** Problems by 0-based line. */
export function problemsByLine(uri: vscode.Uri): Map<number, LineProblems> {
  const out = new Map<number, LineProblems>();
  for (const d of vscode.languages.getDiagnostics(uri)) {
    const line = d.range.start.line;
    let entry = out.get(line);
    if (!entry) out.set(line, (entry = { codes: [], problems: [] }));
    const code = codeOf(d);
    if (!entry.codes.includes(code)) entry.codes.push(code);
    entry.problems.push({ code, message: d.message, severity: SEVERITY[d.severity] });
  }
  return out;
}

export function allCodes(byLine: Map<number, LineProblems>): string[] {
  const set = new Set<string>();
  for (const p of byLine.values()) for (const c of p.codes) set.add(c);
  return [...set].sort();
}
