// Monaco as this page needs it: the editor core plus the contributions a template author uses (suggest, hover,
// find, folding, bracket matching, comments, multi-cursor), not the dozens of bundled languages. Its worker runs
// from a same-origin Blob: a webview cannot start a worker from its resource URL, and the CSP allows `blob:` only
// for workers.
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/editor/browser/coreCommands.js';
import 'monaco-editor/editor/browser/widget/codeEditor/codeEditorWidget.js';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor/editor/contrib/comment/browser/comment.js';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js';
import 'monaco-editor/editor/contrib/find/browser/findController.js';
import 'monaco-editor/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/editor/contrib/gotoError/browser/gotoError.js';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js';
import 'monaco-editor/editor/contrib/multicursor/browser/multicursor.js';
import 'monaco-editor/editor/contrib/snippet/browser/snippetController2.js';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js';
import 'monaco-editor/editor/common/standaloneStrings.js';
import { JINJA_LANGUAGE_ID, jinjaConfiguration, jinjaMonarch } from './jinjaLanguage';

export { monaco };

let workerBlobUrl: Promise<string> | undefined;

/**
 * Fetches the bundled worker once and serves it from a Blob URL. `onState` hears whether it started: Monaco
 * otherwise falls back to running the worker's code on the page, slowly, with only a console warning.
 */
export function installWorker(workerUrl: string, onState: (state: 'running' | `failed: ${string}`) => void): void {
  (self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
    getWorker: async () => {
      try {
        workerBlobUrl ??= fetch(workerUrl)
          .then((r) => {
            if (!r.ok) throw new Error(`${workerUrl}: HTTP ${r.status}`);
            return r.text();
          })
          .then((code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
        const worker = new Worker(await workerBlobUrl, { name: 'monaco-editor-worker' });
        onState('running');
        return worker;
      } catch (e) {
        onState(`failed: ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
    },
  };
}

export function registerJinja(): void {
  monaco.languages.register({ id: JINJA_LANGUAGE_ID, extensions: ['.jinja'], aliases: ['Jinja'] });
  monaco.languages.setMonarchTokensProvider(JINJA_LANGUAGE_ID, jinjaMonarch);
  monaco.languages.setLanguageConfiguration(JINJA_LANGUAGE_ID, jinjaConfiguration);
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  // Monaco wants #rrggbb[aa]; VS Code's variables are that or rgba() in some themes
  return /^#[0-9a-f]{3,8}$/i.test(v) ? v : fallback;
}

/** A Monaco theme from the workbench's colours, so the editor looks like the rest of VS Code. */
export function applyWorkbenchTheme(): void {
  const cls = document.body.classList;
  const base: monaco.editor.BuiltinTheme = cls.contains('vscode-high-contrast') ? 'hc-black' : cls.contains('vscode-light') ? 'vs' : 'vs-dark';
  const dark = base !== 'vs';
  monaco.editor.defineTheme('instruct-studio', {
    base,
    inherit: true,
    rules: [
      { token: 'delimiter.jinja', foreground: dark ? 'C586C0' : 'AF00DB', fontStyle: 'bold' },
      { token: 'variable', foreground: dark ? '9CDCFE' : '001080' },
      { token: 'predefined', foreground: dark ? 'DCDCAA' : '795E26' },
      { token: 'constant', foreground: dark ? '569CD6' : '0000FF' },
    ],
    colors: {
      'editor.background': cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
      'editor.foreground': cssVar('--vscode-editor-foreground', dark ? '#d4d4d4' : '#000000'),
    },
  });
  monaco.editor.setTheme('instruct-studio');
}

export function createEditor(container: HTMLElement, value: string): monaco.editor.IStandaloneCodeEditor {
  const style = getComputedStyle(document.body);
  const fontFamily = style.getPropertyValue('--vscode-editor-font-family').trim() || 'monospace';
  const fontSize = parseFloat(style.getPropertyValue('--vscode-editor-font-size')) || 13;
  return monaco.editor.create(container, {
    value,
    language: JINJA_LANGUAGE_ID,
    theme: 'instruct-studio',
    automaticLayout: true,
    minimap: { enabled: false },
    wordWrap: 'on',
    fontFamily,
    fontSize,
    scrollBeyondLastLine: false,
    renderWhitespace: 'boundary',
    fixedOverflowWidgets: true,
    'semanticHighlighting.enabled': false,
  });
}
