import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { getPreset } from '../../src/core/template/index';
import { newFromPreset } from '../../src/host/templateEditor/openTemplateEditor';
import type { TemplateEditorPanel } from '../../src/host/templateEditor/templateEditorPanel';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { closeAllEditors, workspaceFile } from './support/workspace';
import { HfTokenizer } from '../../src/core/tokenizer/hfTokenizer';
import spTokenizer from '../fixtures/hf/sp-tokenizer/tokenizer.json';
import spConfig from '../fixtures/hf/sp-tokenizer/tokenizer_config.json';

const COMMAND = 'instructStudio.openTemplateEditor';
let files = 0;

async function scratchFile(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(`scratch/template-editor-${++files}/${name}`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

async function onDisk(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

function webviewTab(label: string): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label.includes(label));
}

async function open(uri: vscode.Uri): Promise<TemplateEditorPanel> {
  const panel = (await vscode.commands.executeCommand(COMMAND, uri)) as TemplateEditorPanel | undefined;
  assert.ok(panel, 'the command returns the panel it opened');
  return panel;
}

describe('prompt template editor', () => {
  before(async function () {
    requireFeature(this, COMMAND, 'the prompt template editor (issue 7)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('opens a panel for a .jinja file, and an edit from the webview becomes the document text (dirty, saved on request)', async () => {
    const uri = await scratchFile('chat.jinja', '{% for m in messages %}{{ m.content }}{% endfor %}\n');
    const panel = await open(uri);
    await waitFor(() => webviewTab('chat.jinja'), 'a webview tab for chat.jinja');
    const edited = '{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}\n';
    await panel.handle({ type: 'edit', source: edited });
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(), edited);
    assert.equal(doc.isDirty, true, 'the edit is unsaved until the user saves');
    assert.equal(await onDisk(uri), '{% for m in messages %}{{ m.content }}{% endfor %}\n', 'nothing written before Save');
    await waitFor(() => (webviewTab('chat.jinja')?.label.startsWith('●') ? true : undefined), 'the dirty mark in the panel title');
    await panel.handle({ type: 'save' });
    assert.equal(await onDisk(uri), edited);
    // the same file again reuses the panel
    assert.equal(await open(uri), panel);
  });

  it('in a tokenizer_config.json only the chat_template value changes', async () => {
    const config = '{\n  "bos_token": "<s>",\n  "chat_template": "{{ messages[0].content }}",\n  "eos_token": "</s>",\n  "model_max_length": 2048\n}\n';
    const uri = await scratchFile('tokenizer_config.json', config);
    const panel = await open(uri);
    assert.equal(panel.currentSource, '{{ messages[0].content }}');
    await panel.handle({ type: 'edit', source: '{% for m in messages %}\n{{ m.content }}{% endfor %}' });
    const text = (await vscode.workspace.openTextDocument(uri)).getText();
    assert.equal(
      text,
      '{\n  "bos_token": "<s>",\n  "chat_template": "{% for m in messages %}\\n{{ m.content }}{% endfor %}",\n  "eos_token": "</s>",\n  "model_max_length": 2048\n}\n',
    );
  });

  it('an edit of the document elsewhere reaches the panel, and the preview renders a real record with its mask', async () => {
    const uri = await scratchFile('alpaca.jinja', '### Instruction:\n{{ instruction }}\n### Response:\n{{ output }}');
    const panel = await open(uri);
    await panel.setDataset(workspaceFile('alpaca.jsonl'), 1);
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, doc.positionAt(doc.getText().length), '{{ eos_token }}');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(() => (panel.currentSource.endsWith('{{ output }}{{ eos_token }}') ? true : undefined), 'the external edit in the panel');
    const message = panel.renderPreview();
    assert.ok(message && message.type === 'preview');
    assert.equal(message.recordIndex, 1);
    assert.equal(message.recordLine, 2);
    assert.ok(message.body.ok, JSON.stringify(message.body));
    const record = JSON.parse((await onDisk(workspaceFile('alpaca.jsonl'))).split('\n')[1]) as { instruction: string; output: string };
    const trained = message.body.tokens.filter((t) => t.trained).map((t) => t.text).join('');
    assert.equal(trained, `${record.output}<|eos|>`);
    assert.ok(message.body.tokens.map((t) => t.text).join('').startsWith(`### Instruction:\n${record.instruction}`));
    assert.deepEqual(message.body.warnings.filter((w) => w.code === 'no-eos'), []);
    assert.ok(message.recordFields.includes('instruction'));
  });

  it('a template in a model folder previews with the model folder\'s tokenizer.json (special tokens as single tokens)', async () => {
    const uri = await scratchFile('chat_template.jinja', spConfig.chat_template);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(uri, '..', 'tokenizer.json'), new TextEncoder().encode(JSON.stringify(spTokenizer)));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(uri, '..', 'tokenizer_config.json'), new TextEncoder().encode(JSON.stringify(spConfig)));
    const panel = await open(uri);
    await panel.setDataset(workspaceFile('chat.jsonl'), 0);
    const message = panel.renderPreview();
    assert.ok(message && message.type === 'preview' && message.body.ok, JSON.stringify(message));
    const text = message.body.tokens.map((t) => t.text).join('');
    assert.ok(text.startsWith('<s>[user] '), text);
    const model = new HfTokenizer({ tokenizer: spTokenizer as unknown as Record<string, unknown>, config: spConfig });
    const { ids } = model.encode(text);
    assert.equal(message.body.tokens.length, ids.length, 'one preview token per model token');
    assert.deepEqual(message.body.tokens[0], { text: '<s>', trained: false, special: true }, '<s> is one special token of the model');
    const trained = message.body.tokens.filter((t) => t.trained);
    assert.deepEqual(trained.at(-1), { text: '</s>', trained: true, special: true }, 'the model\'s </s> ends the trained span');
  });

  it('a template error comes back as data with its line and column', async () => {
    const uri = await scratchFile('broken.jinja', '{{ instruction }}\n{{ output }}');
    const panel = await open(uri);
    await panel.setDataset(workspaceFile('alpaca.jsonl'), 0);
    await panel.handle({ type: 'edit', source: '{{ instruction }}\n{% if output %}\n{{ output }}' });
    const message = panel.renderPreview();
    assert.ok(message && message.type === 'preview' && !message.body.ok);
    assert.equal(message.body.stage, 'template');
    if (message.body.stage === 'template') assert.equal(message.body.line, 2);
  });

  it('a preset starts a new untitled .jinja; picking another preset replaces its template as an edit of the document', async () => {
    const uri = await newFromPreset('chatml');
    assert.equal(uri.scheme, 'untitled');
    assert.match(uri.path, /\/chatml(-\d+)?\.jinja$/);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(), getPreset('chatml').templates.chat);
    const panel = await open(uri);
    await panel.handle({ type: 'applyPreset', name: 'alpaca' });
    assert.equal(doc.getText(), getPreset('alpaca').templates.instruction);
    await assert.rejects(panel.handle({ type: 'applyPreset', name: 'no-such-preset' }), /unknown preset "no-such-preset"/);
    assert.equal(doc.getText(), getPreset('alpaca').templates.instruction, 'an unknown preset changes nothing');
    // leave no dirty untitled document behind
    const clear = new vscode.WorkspaceEdit();
    clear.delete(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)));
    await vscode.workspace.applyEdit(clear);
  });
});
