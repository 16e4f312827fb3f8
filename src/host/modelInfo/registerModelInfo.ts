// Model folders in the editor: a hover on a model's config.json (what the folder is, whether it loads) and
// "Show Model Info" on a folder or its config.json, a read-only Markdown preview of the same description.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorMessage, outputChannel } from '../log';
import type { DescribeFolder } from '../training/modelChoices';
import { modelInfoMarkdown } from './modelInfoMarkdown';

const SCHEME = 'instruct-studio-model';
/** Context key: folders of the workspace that hold a config.json, for the explorer menu's `when`. */
const FOLDERS_KEY = 'instructStudio.modelFolders';

/** Keys whose line shows the hover: a model's identity, not every number in the file. */
const HOVER_KEYS = /^\s*"(architectures|model_type|_name_or_path|torch_dtype|max_position_embeddings|n_positions|vocab_size)"\s*:/;

/** `describe` is describeModelFolder (src/core/modelFolder/describe.ts), passed in by the activation. */
export function registerModelInfo(context: vscode.ExtensionContext, describe: DescribeFolder): void {
  const provider = new ModelInfoDocuments(describe);
  context.subscriptions.push(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    vscode.languages.registerHoverProvider({ scheme: 'file', pattern: '**/config.json' }, {
      provideHover(document, position) {
        if (position.line !== 0 && !HOVER_KEYS.test(document.lineAt(position.line).text)) return undefined;
        const dir = dirname(document.uri.fsPath);
        if (!looksLikeModelConfig(document.getText())) return undefined;
        const md = new vscode.MarkdownString(modelInfoMarkdown(describe(dir), { templateLines: 4 }));
        md.appendMarkdown(`\n[Show Model Info](command:instructStudio.showModelInfo?${encodeURIComponent(JSON.stringify([vscode.Uri.file(dir).toJSON()]))})`);
        md.isTrusted = { enabledCommands: ['instructStudio.showModelInfo'] };
        return new vscode.Hover(md);
      },
    }),
    vscode.commands.registerCommand('instructStudio.showModelInfo', async (arg?: unknown) => {
      try {
        const dir = await modelDirFrom(arg);
        if (!dir) return undefined;
        const uri = provider.uriFor(dir);
        provider.refresh(uri);
        await vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, async () => vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true }));
        return uri.toString();
      } catch (e) {
        outputChannel().error(`Show Model Info: ${errorMessage(e)}`);
        void vscode.window.showErrorMessage(`Show Model Info: ${errorMessage(e)}`);
        return undefined;
      }
    }),
  );
  void updateModelFolders();
  const watcher = vscode.workspace.createFileSystemWatcher('**/config.json', false, true, false);
  watcher.onDidCreate(() => void updateModelFolders());
  watcher.onDidDelete(() => void updateModelFolders());
  context.subscriptions.push(watcher);
}

/** Read-only documents `instruct-studio-model:/<folder>/Model Info.md`, rendered from the folder on each open. */
class ModelInfoDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  constructor(private readonly describe: DescribeFolder) {}
  uriFor(dir: string): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, path: `${dir}/Model Info (${basename(dir)}).md` });
  }
  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    const dir = dirname(uri.path);
    return `${modelInfoMarkdown(this.describe(dir), { templateLines: 40 })}\n*Folder:* \`${dir}\`\n`;
  }
  dispose(): void {
    this.changed.dispose();
  }
}

async function modelDirFrom(arg: unknown): Promise<string | undefined> {
  if (arg instanceof vscode.Uri || (typeof arg === 'object' && arg !== null && 'fsPath' in arg)) {
    const path = arg instanceof vscode.Uri ? arg.fsPath : vscode.Uri.from(arg as vscode.Uri).fsPath;
    return basename(path) === 'config.json' ? dirname(path) : path;
  }
  if (typeof arg === 'string') return basename(arg) === 'config.json' ? dirname(arg) : arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && basename(active.fsPath) === 'config.json') return dirname(active.fsPath);
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Show Model Info', title: 'A model folder' });
  return picked?.[0]?.fsPath;
}

/** A config.json of a model (not of some tool): it names an architecture or a model type. */
function looksLikeModelConfig(text: string): boolean {
  return /"(architectures|model_type)"\s*:/.test(text);
}

async function updateModelFolders(): Promise<void> {
  const files = await vscode.workspace.findFiles('**/config.json', '{**/node_modules/**,**/.git/**}', 2000);
  const dirs = files.map((f) => dirname(f.fsPath)).filter((d) => existsSync(join(d, 'config.json')));
  await vscode.commands.executeCommand('setContext', FOLDERS_KEY, dirs);
}
