// Synthetic data in the editor: "Generate Instructions from Seed Tasks".
import * as vscode from 'vscode';
import { generateFromSeedTasks, type GenerateOptions } from './generateFromSeedTasks';
import { errorMessage, outputChannel } from '../log';

export function registerSynth(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('instructStudio.generateFromSeedTasks', async (arg?: unknown, _selection?: unknown, options?: GenerateOptions) => {
      try {
        return await generateFromSeedTasks(context, arg, options && typeof options === 'object' ? options : {});
      } catch (e) {
        outputChannel().error(`Generate Instructions from Seed Tasks: ${errorMessage(e)}`);
        void vscode.window.showErrorMessage(`Generate Instructions from Seed Tasks: ${errorMessage(e)}`);
        return undefined;
      }
    }),
  );
}
