// The "Instruct Studio" output channel: every feature logs here instead of raising toasts during normal use.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The shared channel, created on first use; disposed with the extension through `context.subscriptions`. */
export function outputChannel(context?: vscode.ExtensionContext): vscode.LogOutputChannel {
  if (!channel) {
    channel = vscode.window.createOutputChannel('Instruct Studio', { log: true });
    const created = channel;
    context?.subscriptions.push(created, { dispose: () => { if (channel === created) channel = undefined; } });
  }
  return channel;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
