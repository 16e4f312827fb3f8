// Activation only wires the editor adapters together; each feature lives in src/host.
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Features register here as they land (see src/host).
}

export function deactivate(): void {}
