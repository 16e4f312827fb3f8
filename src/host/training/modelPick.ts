// The "model" step of Start Training: the built-in base model (pre-trained), the same from scratch, recent model
// folders with what they are, and Browse… for a folder, which is checked before it is accepted.
import * as vscode from 'vscode';
import { BROWSE, checkModelFolder, modelItems, type DescribeFolder } from './modelChoices';

/** The model to train from (`tiny`, `scratch` or a folder), or undefined when the user pressed Escape. */
export async function pickModel(last: string, recent: readonly string[], describe: DescribeFolder): Promise<string | undefined> {
  const items = modelItems(recent, describe);
  const i = items.findIndex((it) => it.value === last);
  // The remembered choice first, so Enter keeps it.
  const ordered = i > 0 ? [items[i], ...items.slice(0, i), ...items.slice(i + 1)] : items;
  const pick = await vscode.window.showQuickPick(ordered, { placeHolder: 'Model to fine-tune (Enter: the last one used)', ignoreFocusOut: true, matchOnDescription: true });
  if (!pick) return undefined;
  if (pick.value !== BROWSE) return pick.value;
  for (;;) {
    const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use this model', title: 'A model folder (config.json, *.safetensors, tokenizer) or a run folder' });
    const dir = folder?.[0]?.fsPath;
    if (!dir) return undefined;
    const check = checkModelFolder(dir, describe);
    if (check.ok) return dir;
    const again = await vscode.window.showErrorMessage(
      `${dir} cannot be used as a model: ${check.problems.slice(0, 3).join('; ')}${check.problems.length > 3 ? ` (and ${check.problems.length - 3} more)` : ''}`,
      { modal: true, detail: check.problems.join('\n') }, 'Choose Another Folder',
    );
    if (again !== 'Choose Another Folder') return undefined;
  }
}
