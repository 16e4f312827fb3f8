// One prompt-template editor panel: Monaco in the webview, the template document as the truth. Edits from Monaco
// become WorkspaceEdits (so Save, undo and the dirty dot work as for any file); edits of the document from
// elsewhere are sent back to Monaco. Previews of the current record are rendered here through the core's
// previewer, debounced, and sent as token lists.
import * as vscode from 'vscode';
import { createPreviewer, getPreset, isPresetName, PRESET_NAMES, PRESETS, TEMPLATE_VARIABLES, TemplateError, type TemplateKind } from '../../core/template/index';
import { ByteTokenizer } from '../../core/tokenizer/byteTokenizer';
import type { Tokenizer } from '../../core/tokenizer/types';
import {
  isTemplateEditorState,
  validateEditorToHost,
  type EditorToHost,
  type HostToEditor,
  type TemplateEditorState,
} from '../../shared/protocol/templateEditor';
import { errorMessage, outputChannel } from '../log';
import { escapeHtml, webviewHtml, webviewResourceRoots } from '../webviewHtml';
import { loadPreviewDataset, pickDatasetUri, type PreviewDataset } from './datasetRecords';
import { minimalReplace } from './minimalEdit';
import { modelContextBeside, modelContextOfConfig, modelTokenizerBeside, type ModelContext } from './modelTokens';
import { previewBody, recordFields } from './previewBody';
import { documentTextWith, extractTemplate, templateKindOf } from './templateDocument';

export const TEMPLATE_EDITOR_VIEW_TYPE = 'instructStudio.templateEditor';
const PREVIEW_DEBOUNCE_MS = 150;

/** The source a preset starts from: its chat template, else its instruction or completion one. */
export function presetSource(name: string): string {
  const t = getPreset(name).templates;
  return t.chat ?? t.instruction ?? t.completion ?? '';
}

export class TemplateEditorPanel implements vscode.Disposable {
  private static readonly open = new Map<string, TemplateEditorPanel>();

  /** What Monaco holds, as far as the host knows: the template text (for a config, its chat_template value). */
  private source = '';
  private fileError: string | null = null;
  private dataset: PreviewDataset | undefined;
  private recordIndex: number;
  private model: ModelContext = {};
  private ready = false;
  private applying = false;
  private previewTimer: NodeJS.Timeout | undefined;
  private readonly previewer = createPreviewer();
  /** The model's own tokenizer when the template sits in a model folder with a tokenizer.json, else the built-in. */
  private tokenizer: Tokenizer = new ByteTokenizer();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  static async show(extensionUri: vscode.Uri, templateUri: vscode.Uri, datasetUri?: vscode.Uri): Promise<TemplateEditorPanel> {
    const existing = TemplateEditorPanel.open.get(templateUri.toString());
    if (existing) {
      existing.panel.reveal();
      if (datasetUri) await existing.setDataset(datasetUri, 0);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TEMPLATE_EDITOR_VIEW_TYPE, 'Prompt Template', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: webviewResourceRoots(extensionUri),
    });
    return TemplateEditorPanel.create(panel, extensionUri, { templateUri: templateUri.toString(), datasetUri: datasetUri?.toString(), recordIndex: 0 });
  }

  static registerSerializer(extensionUri: vscode.Uri): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(TEMPLATE_EDITOR_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        if (!isTemplateEditorState(state)) {
          panel.dispose();
          return;
        }
        panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
        await TemplateEditorPanel.create(panel, extensionUri, state).catch((e) => {
          outputChannel().warn(`template editor: could not restore ${state.templateUri}: ${errorMessage(e)}`);
          panel.dispose();
        });
      },
    });
  }

  /** The panel showing `templateUri`, if any (for tests and for the command to reuse). */
  static find(templateUri: vscode.Uri): TemplateEditorPanel | undefined {
    return TemplateEditorPanel.open.get(templateUri.toString());
  }

  private static async create(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: TemplateEditorState): Promise<TemplateEditorPanel> {
    const uri = vscode.Uri.parse(state.templateUri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = new TemplateEditorPanel(panel, extensionUri, doc, state.recordIndex);
    TemplateEditorPanel.open.set(uri.toString(), editor);
    editor.model = doc.uri.scheme === 'untitled' || /\.json$/i.test(doc.fileName) ? modelContextOfConfig(doc.fileName, doc.getText()) : await modelContextBeside(uri);
    if (uri.scheme === 'file') editor.tokenizer = modelTokenizerBeside(uri.fsPath) ?? editor.tokenizer;
    if (state.datasetUri) await editor.setDataset(vscode.Uri.parse(state.datasetUri), state.recordIndex);
    return editor;
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly doc: vscode.TextDocument, recordIndex: number) {
    this.recordIndex = recordIndex;
    this.readDocument(doc);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'instruct-studio.svg');
    this.updateTitle();
    const worker = panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'editor.worker.js')).toString();
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      title: 'Prompt Template',
      bundle: 'templateEditor',
      css: true,
      // Monaco's worker is fetched (connect-src) and started from a same-origin Blob (worker-src blob:). Monaco
      // lays out its view lines as HTML with style attributes (top/left/width), which no nonce can cover:
      // style-src-attr allows those attributes only; <style> elements still need the nonce (cspStyles.ts), and
      // with default-src 'none' a style attribute cannot load anything from outside.
      extraCsp: ['worker-src blob:', `connect-src ${panel.webview.cspSource}`, "style-src-attr 'unsafe-inline'"],
      body: `<div id="app" data-worker="${escapeHtml(worker)}"></div>`,
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri.toString()) this.onDocumentChanged(e.document);
        else if (this.dataset && e.document.uri.toString() === this.dataset.uri.toString()) this.reloadDatasetSoon();
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.toString() === this.uri.toString()) this.postDirty(d);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('instructStudio.dataset.maxTokens')) this.schedulePreview(0);
      }),
    );
  }

  get uri(): vscode.Uri {
    return this.doc.uri;
  }

  private get label(): string {
    return this.uri.path.split('/').pop() ?? this.uri.toString();
  }

  private updateTitle(dirty = this.doc.isDirty): void {
    this.panel.title = `${dirty ? '● ' : ''}Template: ${this.label}`;
  }

  private post(m: HostToEditor): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(m);
  }

  /** Reads the template out of the document; a config that cannot be parsed keeps the last good source. */
  private readDocument(doc: vscode.TextDocument): boolean {
    const r = extractTemplate(doc.fileName, doc.getText());
    const error = r.ok ? null : r.message;
    const changedError = error !== this.fileError;
    this.fileError = error;
    if (changedError) this.post({ type: 'fileError', message: error });
    if (!r.ok || r.source === this.source) return false;
    this.source = r.source;
    return true;
  }

  private onDocumentChanged(doc: vscode.TextDocument): void {
    this.postDirty(doc);
    // Our own edits echo back here; Monaco has that text already.
    if (this.applying) return;
    if (this.readDocument(doc)) {
      this.post({ type: 'source', source: this.source });
      this.schedulePreview();
    }
  }

  private postDirty(doc: vscode.TextDocument): void {
    this.updateTitle(doc.isDirty);
    this.post({ type: 'dirty', dirty: doc.isDirty });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const r = validateEditorToHost(raw);
    if (!r.ok) {
      outputChannel().warn(`template editor: ignored a message from the webview: ${r.reason}`);
      return;
    }
    try {
      await this.handle(r.message);
    } catch (e) {
      outputChannel().error(`template editor: ${r.message.type}: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(`Prompt template editor: ${errorMessage(e)}`);
    }
  }

  /** One message from the webview; public so tests can drive the panel the way the webview does. */
  async handle(m: EditorToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post({
          type: 'init',
          template: { uri: this.uri.toString(), label: this.label, kind: templateKindOf(this.doc.fileName, this.uri.scheme === 'untitled') },
          source: this.source,
          presets: PRESET_NAMES.map((name) => ({ name, description: PRESETS[name].description })),
          readOnly: false,
        });
        this.post({ type: 'fileError', message: this.fileError });
        this.post({ type: 'dirty', dirty: this.doc.isDirty });
        this.postDataset();
        this.schedulePreview(0);
        break;
      case 'edit':
        await this.applySource(m.source);
        break;
      case 'applyPreset':
        if (!isPresetName(m.name)) throw new Error(`unknown preset "${m.name}"`);
        await this.applySource(presetSource(m.name));
        this.post({ type: 'source', source: this.source });
        break;
      case 'selectRecord':
        this.recordIndex = m.index;
        this.schedulePreview(0);
        break;
      case 'chooseDataset': {
        const uri = await pickDatasetUri();
        if (uri) await this.setDataset(uri, 0);
        break;
      }
      case 'chooseTemplate':
        await vscode.commands.executeCommand('instructStudio.openTemplateEditor');
        break;
      case 'problem':
        outputChannel().warn(`template editor webview: ${m.message}`);
        break;
      case 'save':
        await this.document().then((d) => d.save());
        break;
    }
  }

  private document(): Thenable<vscode.TextDocument> {
    return vscode.workspace.openTextDocument(this.uri);
  }

  /**
   * Makes the document hold `source` as its template, as the smallest replacement. Edits arriving while one is
   * applied are coalesced: the loop applies the latest text once the previous edit has landed.
   */
  async applySource(source: string): Promise<void> {
    this.source = source;
    this.schedulePreview();
    if (this.applying) return;
    if (this.fileError) {
      void vscode.window.showWarningMessage(`${this.label} cannot be read as a template (${this.fileError}); fix the file, then edit the template.`);
      return;
    }
    this.applying = true;
    try {
      for (;;) {
        const target = this.source;
        const doc = await this.document();
        const before = doc.getText();
        let after: string;
        try {
          after = documentTextWith(doc.fileName, before, target);
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
          this.fileError = e.message;
          this.post({ type: 'fileError', message: e.message });
          return;
        }
        const replace = minimalReplace(before, after);
        if (replace) {
          const edit = new vscode.WorkspaceEdit();
          edit.replace(doc.uri, new vscode.Range(doc.positionAt(replace.start), doc.positionAt(replace.end)), replace.text);
          if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not edit ${this.label}`);
        }
        if (this.source === target) break;
      }
    } finally {
      this.applying = false;
    }
  }

  async setDataset(uri: vscode.Uri, recordIndex: number): Promise<void> {
    try {
      this.dataset = await loadPreviewDataset(uri);
    } catch (e) {
      this.dataset = undefined;
      void vscode.window.showWarningMessage(`Cannot read the dataset ${uri.path.split('/').pop()}: ${errorMessage(e)}`);
    }
    this.recordIndex = Math.max(0, Math.min(recordIndex, (this.dataset?.records.length ?? 1) - 1));
    this.postDataset();
    this.schedulePreview(0);
  }

  private reloadTimer: NodeJS.Timeout | undefined;
  private reloadDatasetSoon(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      if (this.dataset && !this.disposed) void this.setDataset(this.dataset.uri, this.recordIndex);
    }, 500);
  }

  private postDataset(): void {
    const d = this.dataset;
    this.post({ type: 'dataset', dataset: d ? { uri: d.uri.toString(), label: d.partial ? `${d.label} (first part)` : d.label, count: d.records.length } : null });
  }

  private schedulePreview(delay = PREVIEW_DEBOUNCE_MS): void {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.renderPreview(), delay);
  }

  /** Renders the current record now and posts it; returns what was posted (tests read it). */
  renderPreview(): HostToEditor | undefined {
    if (this.disposed) return undefined;
    const record = this.dataset?.records[this.recordIndex];
    const source = this.source;
    let message: HostToEditor;
    if (!record) {
      message = {
        type: 'preview', source, recordIndex: 0, recordLine: 0, variables: [], recordFields: [],
        body: { ok: false, stage: 'no-record', message: this.dataset ? `${this.dataset.label} has no records` : 'Choose a dataset to preview the template on its records.' },
      };
    } else {
      const maxLength = vscode.workspace.getConfiguration('instructStudio.dataset').get<number>('maxTokens');
      let result;
      try {
        result = this.previewer.preview({
          source,
          templateName: this.label,
          record: record.value,
          bosToken: this.model.bosToken ?? this.tokenizer.bosToken,
          eosToken: this.model.eosToken ?? this.tokenizer.eosToken,
          tokenizer: this.tokenizer,
          maxLength,
          modelTemplate: this.model.modelTemplate,
        });
      } catch (e) {
        // the previewer answers template and record failures as data; anything else is a bug worth seeing
        outputChannel().error(`template editor: preview failed: ${errorMessage(e)}`);
        result = { ok: false as const, stage: 'record' as const, message: `internal error: ${errorMessage(e)}` };
      }
      const kind: TemplateKind = result.ok ? result.kind : 'chat';
      message = {
        type: 'preview',
        source,
        recordIndex: this.recordIndex,
        recordLine: record.line,
        body: previewBody(result),
        variables: TEMPLATE_VARIABLES[kind].map((v) => ({ name: v.name, detail: v.detail })),
        recordFields: recordFields(record.value),
      };
    }
    this.post(message);
    return message;
  }

  /** The template text as the panel holds it (tests). */
  get currentSource(): string {
    return this.source;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.previewTimer);
    clearTimeout(this.reloadTimer);
    if (TemplateEditorPanel.open.get(this.uri.toString()) === this) TemplateEditorPanel.open.delete(this.uri.toString());
    this.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
