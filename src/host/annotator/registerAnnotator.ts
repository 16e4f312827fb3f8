// Wires the pair annotator into the editor: the custom editor, its command, and a test seam.
import * as vscode from 'vscode';
import type { HostToWebview } from '../../shared/protocol/annotator';
import { PAIR_ANNOTATOR_VIEW_TYPE, PairAnnotatorProvider } from './pairAnnotatorProvider';
import { registerModelPairGenerator } from './modelPairGenerator';

export const OPEN_ANNOTATOR_COMMAND = 'instructStudio.openAnnotator';
/**
 * Not contributed (so not in the palette): hands a message to the annotator of `uri` exactly as if its webview
 * had sent it — same validation, same edits — and returns what the host sent back. Used by integration tests.
 */
export const DISPATCH_COMMAND = 'instructStudio.annotator.dispatch';

function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active) return active;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}

export function registerAnnotator(context: vscode.ExtensionContext): PairAnnotatorProvider {
  const provider = new PairAnnotatorProvider(context.extensionUri);
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(PAIR_ANNOTATOR_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true }),
    registerModelPairGenerator(context),
    vscode.commands.registerCommand(OPEN_ANNOTATOR_COMMAND, async (arg?: unknown) => {
      const uri = targetUri(arg);
      if (!uri) {
        void vscode.window.showErrorMessage('Open a .jsonl dataset first, then run "Open in Pair Annotator".');
        return;
      }
      await vscode.commands.executeCommand('vscode.openWith', uri, PAIR_ANNOTATOR_VIEW_TYPE);
    }),
    vscode.commands.registerCommand(DISPATCH_COMMAND, async (uri: vscode.Uri, message: unknown): Promise<HostToWebview[]> => {
      const session = provider.sessions.get(uri.toString());
      if (!session) throw new Error(`no pair annotator is open for ${uri.toString()}`);
      const seen: HostToWebview[] = [];
      const tap = provider.tap((m) => seen.push(m));
      try {
        await session.receive(message);
      } finally {
        tap.dispose();
      }
      return seen;
    }),
  );
  return provider;
}
