import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extension, requireFeature } from './support/extension';
import { closeAllEditors, openInEditor, workspaceFile } from './support/workspace';

/** A copy of the tiny GPT-2 fixture (config, safetensors, tokenizer) with a chat template, in the workspace. */
function modelFolder(name: string): string {
  const dir = workspaceFile(`scratch/${name}`).fsPath;
  cpSync(join(extension().extensionPath, 'test', 'fixtures', 'hf', 'gpt2-tiny'), dir, { recursive: true });
  writeFileSync(join(dir, 'chat_template.jinja'), "{% for m in messages %}{{ '<|' + m.role + '|>' + m.content }}\n{% endfor %}\n");
  return dir;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
}

describe('model folder info', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.showModelInfo', 'Show Model Info (issue 10)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('hovers a model\'s config.json with architecture, parameters, context length and the chat template', async () => {
    const dir = modelFolder('hover-gpt2');
    const editor = await openInEditor(vscode.Uri.file(join(dir, 'config.json')));
    const line = editor.document.getText().split('\n').findIndex((l) => /"model_type"/.test(l));
    assert.ok(line >= 0, 'the fixture names its model_type');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line, 5));
    const text = hoverText(hovers);
    assert.match(text, /GPT2LMHeadModel/);
    assert.match(text, /\| parameters \| /);
    assert.match(text, /\| context length \| \d+ tokens \|/);
    assert.match(text, /```jinja\n\{% for m in messages %\}/);
    assert.match(text, /loads in Instruct Studio/);
  });

  it('"Show Model Info" opens a read-only description of the folder', async () => {
    const dir = modelFolder('info-gpt2');
    const uri = await vscode.commands.executeCommand<string>('instructStudio.showModelInfo', vscode.Uri.file(dir));
    assert.ok(uri, 'the command names the document it opened');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    assert.match(doc.getText(), /^### info-gpt2$/m);
    assert.match(doc.getText(), /\| architecture \| GPT2LMHeadModel/);
    assert.match(doc.getText(), /\| tokenizer \| /);
  });
});
