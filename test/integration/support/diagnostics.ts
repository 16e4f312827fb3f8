// Reading the extension's diagnostics the way the Problems panel does: by source and code.
import * as vscode from 'vscode';
import { waitFor } from './waitFor';

export const SOURCE = 'instruct-studio';

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return String(typeof code === 'object' ? code.value : code);
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** `line:code` pairs (1-based lines, as the CLI and the Problems panel show them), sorted. */
export function lineCodes(diagnostics: readonly vscode.Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${codeOf(d)}`).sort();
}

/** Waits until the extension's diagnostics for `uri` satisfy `ready`, and returns them. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  ready: (diagnostics: vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<vscode.Diagnostic[]> {
  return waitFor(() => {
    const diagnostics = ours(uri);
    return ready(diagnostics) ? diagnostics : undefined;
  }, `${what} (now: ${lineCodes(ours(uri)).join(', ') || 'none'})`, { timeoutMs });
}

export function hasCode(diagnostics: readonly vscode.Diagnostic[], line: number, code: string): boolean {
  return diagnostics.some((d) => d.range.start.line + 1 === line && codeOf(d) === code);
}

export function find(diagnostics: readonly vscode.Diagnostic[], line: number, code: string): vscode.Diagnostic {
  const d = diagnostics.find((x) => x.range.start.line + 1 === line && codeOf(x) === code);
  if (!d) throw new Error(`no ${code} diagnostic on line ${line}; have ${lineCodes(diagnostics).join(', ')}`);
  return d;
}
