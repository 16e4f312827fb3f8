// Evaluation in the editor: "Evaluate Model" (runs in a child process) and "Show Evaluation" (the side panel).
import * as vscode from 'vscode';
import { evaluateModelCommand } from './evaluateModel';
import { EvaluationPanel, pickEvaluationFile } from './evaluationPanel';
import { errorMessage, outputChannel } from '../log';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function registerEvaluation(context: vscode.ExtensionContext): void {
  const uri = context.extensionUri;
  const guarded = (name: string, f: (...args: unknown[]) => Promise<unknown>) => async (...args: unknown[]) => {
    try {
      return await f(...args);
    } catch (e) {
      outputChannel().error(`${name}: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(`${name}: ${errorMessage(e)}`);
    }
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('instructStudio.evaluateModel', guarded('Evaluate Model', (arg, data) => evaluateModelCommand(uri, arg, data))),
    vscode.commands.registerCommand('instructStudio.showEvaluation', guarded('Show Evaluation', async (arg) => {
      // A report Uri (explorer, tests) or a path; otherwise pick among the workspace's saved evaluations.
      const runDir = (arg as { run?: { dir?: unknown } } | undefined)?.run?.dir;
      const path = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg
        : typeof runDir === 'string' ? latestEvaluation(runDir) ?? await pickEvaluationFile('Show Evaluation: this run has no saved evaluation yet') : await pickEvaluationFile('Show Evaluation');
      if (path) await EvaluationPanel.show(uri, path);
    })),
    EvaluationPanel.registerSerializer(uri),
  );
}

/** The newest report in RUN/eval/ (names are UTC timestamps, so the last by name is the newest). */
function latestEvaluation(runDir: string): string | undefined {
  let names: string[] = [];
  try {
    names = readdirSync(join(runDir, 'eval')).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return undefined;
  }
  return names.length ? join(runDir, 'eval', names[names.length - 1]) : undefined;
}
