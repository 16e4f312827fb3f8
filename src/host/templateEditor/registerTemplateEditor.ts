// Wires the prompt-template editor into the editor: its command and the serializer that restores panels after a
// window reload.
import * as vscode from 'vscode';
import { outputChannel, errorMessage } from '../log';
import { openTemplateEditor } from './openTemplateEditor';
import { TemplateEditorPanel } from './templateEditorPanel';

export function registerTemplateEditor(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('instructStudio.openTemplateEditor', async (target?: unknown) => {
      try {
        return await openTemplateEditor(context.extensionUri, target);
      } catch (e) {
        outputChannel().error(`template editor: ${errorMessage(e)}`);
        void vscode.window.showErrorMessage(`Cannot open the prompt template editor: ${errorMessage(e)}`);
        return undefined;
      }
    }),
    TemplateEditorPanel.registerSerializer(context.extensionUri),
  );
}
