// Changing the extension's settings for one test, as a user would in the workspace's settings.json.
import * as vscode from 'vscode';

export async function setDatasetSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('instructStudio.dataset').update(key, value, vscode.ConfigurationTarget.Workspace);
}

export async function resetDatasetSettings(...keys: string[]): Promise<void> {
  for (const key of keys) await setDatasetSetting(key, undefined);
}
