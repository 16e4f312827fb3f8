// Activation only wires the editor adapters together; each feature lives in src/host.
import type * as vscode from 'vscode';
import { registerAnnotator } from './host/annotator/registerAnnotator';
import { registerDatasetFeatures } from './host/dataset/registerDatasetFeatures';
import { registerTraining } from './host/training/registerTraining';
import { registerTemplateEditor } from './host/templateEditor/registerTemplateEditor';
import { registerEvaluation } from './host/evaluation/registerEvaluation';
import { registerSynth } from './host/synth/registerSynth';
import { registerExportRun } from './host/exportRun/registerExportRun';
import { registerModelInfo } from './host/modelInfo/registerModelInfo';
import { describeModelFolder } from './core/modelFolder/describe';

export function activate(context: vscode.ExtensionContext): void {
  registerDatasetFeatures(context);
  registerAnnotator(context);
  registerTraining(context);
  registerTemplateEditor(context);
  registerEvaluation(context);
  registerSynth(context);
  registerExportRun(context);
  registerModelInfo(context, describeModelFolder);
  // Features register here as they land (see src/host).
}

export function deactivate(): void {}
