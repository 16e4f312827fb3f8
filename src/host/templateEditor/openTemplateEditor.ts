// "Open Prompt Template Editor": on the template file given (explorer, editor title) or active, else a choice
// between starting from a preset (a new untitled .jinja) and a template file of the workspace.
import * as vscode from 'vscode';
import { PRESET_NAMES, PRESETS } from '../../core/template/index';
import { activeDatasetUri } from './datasetRecords';
import { presetSource, TemplateEditorPanel } from './templateEditorPanel';

export function isTemplateUri(uri: vscode.Uri): boolean {
  const name = uri.path.split('/').pop() ?? '';
  return /\.jinja$/i.test(name) || name === 'tokenizer_config.json';
}

export async function openTemplateEditor(extensionUri: vscode.Uri, target?: unknown): Promise<TemplateEditorPanel | undefined> {
  const dataset = activeDatasetUri();
  let uri = target instanceof vscode.Uri ? target : undefined;
  if (!uri) {
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && isTemplateUri(active)) uri = active;
  }
  uri ??= await chooseTemplate();
  if (!uri) return undefined;
  return TemplateEditorPanel.show(extensionUri, uri, dataset);
}

type Choice = vscode.QuickPickItem & { run: () => Promise<vscode.Uri | undefined> };

async function chooseTemplate(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/{*.jinja,tokenizer_config.json}', '**/node_modules/**', 200);
  const items: Array<Choice | vscode.QuickPickItem> = [
    { label: 'Start from a preset', kind: vscode.QuickPickItemKind.Separator },
    ...PRESET_NAMES.map((name): Choice => ({
      label: `$(new-file) ${name}`,
      description: 'new untitled .jinja',
      detail: PRESETS[name].description,
      run: () => newFromPreset(name),
    })),
    { label: 'Template files', kind: vscode.QuickPickItemKind.Separator },
    ...files
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((uri): Choice => ({ label: `$(file) ${uri.path.split('/').pop()}`, description: vscode.workspace.asRelativePath(uri), run: async () => uri })),
    { label: '$(folder-opened) Choose a file…', run: browse } satisfies Choice,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Open Prompt Template Editor', placeHolder: 'a preset to start from, or a template file' });
  return picked && 'run' in picked ? picked.run() : undefined;
}

async function browse(): Promise<vscode.Uri | undefined> {
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'Chat templates': ['jinja', 'json'] },
    title: 'Template file (*.jinja, chat_template.jinja or tokenizer_config.json)',
  });
  return chosen?.[0];
}

/** An untitled `<preset>.jinja` in the workspace folder, holding the preset's template; saving asks nothing more. */
export async function newFromPreset(name: (typeof PRESET_NAMES)[number]): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let uri: vscode.Uri | undefined;
  for (let i = 1; !uri; i++) {
    const file = `${name}${i > 1 ? `-${i}` : ''}.jinja`;
    const candidate = folder ? vscode.Uri.joinPath(folder, file).with({ scheme: 'untitled' }) : vscode.Uri.from({ scheme: 'untitled', path: file });
    const onDisk = folder ? await exists(vscode.Uri.joinPath(folder, file)) : false;
    const open = vscode.workspace.textDocuments.some((d) => d.uri.toString() === candidate.toString());
    if (!onDisk && !open) uri = candidate;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, new vscode.Position(0, 0), presetSource(name));
  await vscode.workspace.applyEdit(edit);
  return doc.uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
