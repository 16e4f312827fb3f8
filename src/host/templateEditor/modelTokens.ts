// What the preview renders with besides the template: the model's special tokens and its own chat template, read
// from the tokenizer_config.json of the template's file or beside it, as the trainer resolves them.
import * as vscode from 'vscode';
import { parseTemplateFile, selectTemplate, TemplateError } from '../../core/template/index';
import { dirname } from 'node:path';
import { loadFolderTokenizer } from '../../core/tokenizer/folderTokenizer';
import type { Tokenizer } from '../../core/tokenizer/types';
import { outputChannel } from '../log';

export interface ModelContext {
  bosToken?: string;
  eosToken?: string;
  /** The model's own chat template, to warn when the edited one differs. */
  modelTemplate?: string;
}

export function modelContextOfConfig(fileName: string, text: string): ModelContext {
  try {
    const file = parseTemplateFile(fileName, text);
    return { bosToken: file.bosToken, eosToken: file.eosToken };
  } catch (e) {
    if (e instanceof TemplateError) return {};
    throw e;
  }
}

/** For a `.jinja` file: the tokenizer_config.json in its folder, when there is one. */
export async function modelContextBeside(templateUri: vscode.Uri): Promise<ModelContext> {
  if (templateUri.scheme !== 'file' && templateUri.scheme !== 'vscode-remote') return {};
  const config = vscode.Uri.joinPath(templateUri, '..', 'tokenizer_config.json');
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(config));
  } catch {
    return {};
  }
  try {
    const file = parseTemplateFile(config.path, text);
    let modelTemplate: string | undefined;
    try {
      modelTemplate = selectTemplate(file).source;
    } catch {
      modelTemplate = undefined;
    }
    return { bosToken: file.bosToken, eosToken: file.eosToken, modelTemplate };
  } catch (e) {
    // a config without chat_template still names the special tokens; one that cannot be read is only logged
    outputChannel().warn(`template editor: ${e instanceof Error ? e.message : String(e)}`);
    return {};
  }
}

/** The tokenizer.json of the template's folder (a model folder), so the preview shows the model's own tokens. */
export function modelTokenizerBeside(templatePath: string): Tokenizer | undefined {
  try {
    return loadFolderTokenizer(dirname(templatePath)) ?? undefined;
  } catch (e) {
    outputChannel().warn(`template editor: ${e instanceof Error ? e.message : String(e)} (previewing with the built-in tokenizer)`);
    return undefined;
  }
}
