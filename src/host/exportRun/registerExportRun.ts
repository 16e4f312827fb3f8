// "Export Run for a Cluster": the export-run core behind a palette command and the Runs view's context menu.
// It asks for the target, a base model when the run's cannot be named, and writes a new folder beside the run.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EXPORT_TARGETS, writeExport, type ExportTarget } from '../../core/exportRun/index';
import { readExportSource } from '../../core/exportRun/source';
import { errorMessage, outputChannel } from '../log';

/** What a caller (a test, another command) may settle in advance instead of being asked. */
export interface ExportRunArgs {
  to?: ExportTarget;
  out?: string;
  baseModel?: string;
  /** Open README.md when done (default true). */
  openReadme?: boolean;
}

export function registerExportRun(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('instructStudio.exportRunForCluster', async (arg?: unknown, args: ExportRunArgs = {}) => {
    try {
      return await exportRunCommand(arg, args);
    } catch (e) {
      outputChannel().error(`Export Run for a Cluster: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(`Export Run for a Cluster: ${errorMessage(e)}`);
      return undefined;
    }
  }));
}

async function exportRunCommand(arg: unknown, args: ExportRunArgs): Promise<string | undefined> {
  const runDir = await pickRun(arg);
  if (!runDir) return undefined;
  const to = args.to ?? (await vscode.window.showQuickPick([
    { label: 'Axolotl', description: 'axolotl.yml — axolotl train axolotl.yml', value: 'axolotl' as const },
    { label: 'TRL', description: 'train_trl.py + accelerate / DeepSpeed ZeRO-2 configs', value: 'trl' as const },
  ], { placeHolder: `Export ${basename(runDir)} for` }))?.value;
  if (!to || !EXPORT_TARGETS.includes(to)) return undefined;

  let baseModel = args.baseModel;
  if (baseModel === undefined) {
    const model = readExportSource(runDir).model;
    if (model.kind === 'builtin' || model.kind === 'unknown') {
      const why = model.kind === 'builtin' ? 'This run trained the built-in tiny model, which has no Hugging Face equivalent.' : `The run's base model cannot be named (${model.reason}).`;
      const typed = await vscode.window.showInputBox({
        title: 'Base model for the cluster',
        prompt: `${why} Name a Hugging Face hub id or folder to train from (Escape leaves a placeholder to fill in).`,
        placeHolder: 'e.g. HuggingFaceTB/SmolLM2-135M',
        ignoreFocusOut: true,
      });
      baseModel = typed?.trim() || undefined;
    }
  }

  const out = args.out ?? freeFolder(join(dirname(runDir), `${basename(runDir)}-${to}`));
  const result = await writeExport(runDir, out, { to, baseModel });
  for (const w of result.warnings) outputChannel().warn(`export-run: ${w}`);
  outputChannel().info(`export-run: wrote ${result.files.size} files to ${result.outDir}`);
  const readme = vscode.Uri.file(join(result.outDir, 'README.md'));
  if (args.openReadme !== false) await vscode.commands.executeCommand('markdown.showPreview', readme).then(undefined, () => vscode.window.showTextDocument(readme));
  const note = result.plan.baseModel === null ? ' Choose a base model before launching (see README.md).' : '';
  void vscode.window.showInformationMessage(`Exported ${basename(runDir)} for ${to === 'axolotl' ? 'Axolotl' : 'TRL'} to ${result.outDir}.${note}`, 'Reveal Folder').then((c) => {
    if (c) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.outDir));
  });
  return result.outDir;
}

/** The run from the Runs view item, a folder Uri, or a pick among the workspace's run folders. */
async function pickRun(arg: unknown): Promise<string | undefined> {
  const fromItem = (arg as { run?: { dir?: unknown } } | undefined)?.run?.dir;
  if (typeof fromItem === 'string') return fromItem;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string') return arg;
  const runFiles = await vscode.workspace.findFiles('**/run.json', '{**/node_modules/**,**/.git/**}', 200);
  if (!runFiles.length) { void vscode.window.showInformationMessage('No training runs in this workspace yet. Start one with "Instruct Studio: Start Training".'); return undefined; }
  const pick = await vscode.window.showQuickPick(runFiles.map((f) => ({ label: basename(dirname(f.fsPath)), detail: dirname(f.fsPath) })), { placeHolder: 'Run to export for a cluster' });
  return pick?.detail;
}

/** `base`, or `base-2`, `base-3`… : an export never lands in a folder that already has files. */
function freeFolder(base: string): string {
  if (!existsSync(base)) return base;
  for (let i = 2; ; i++) if (!existsSync(`${base}-${i}`)) return `${base}-${i}`;
}
