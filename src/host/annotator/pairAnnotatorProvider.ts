// The pair annotator as a custom text editor (the VS Code custom-editor sample's pattern): the TextDocument is
// the model, the webview a view of it. Undo/redo, dirty state, save and hot exit come from the document.
import * as vscode from 'vscode';
import type { HostToWebview } from '../../shared/protocol/annotator';
import { AnnotatorSession } from './annotatorSession';
import { annotatorHtml, localResourceRoots } from './webviewHtml';

export const PAIR_ANNOTATOR_VIEW_TYPE = 'instructStudio.pairAnnotator';

export class PairAnnotatorProvider implements vscode.CustomTextEditorProvider {
  /** Open sessions by document URI, so commands (and the integration tests) can reach them. */
  readonly sessions = new Map<string, AnnotatorSession>();
  private readonly taps = new Set<(m: HostToWebview) => void>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(this.extensionUri) };
    panel.webview.html = annotatorHtml(panel.webview, this.extensionUri);
    const session = new AnnotatorSession(document, {
      postMessage: (m) => {
        for (const tap of this.taps) tap(m);
        return panel.webview.postMessage(m);
      },
    });
    const key = document.uri.toString();
    this.sessions.set(key, session);
    panel.webview.onDidReceiveMessage((m: unknown) => session.receive(m));
    panel.onDidDispose(() => {
      session.dispose();
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    });
  }

  /** Sees every message sent to any annotator webview (the integration tests read the view through it). */
  tap(listener: (m: HostToWebview) => void): vscode.Disposable {
    this.taps.add(listener);
    return new vscode.Disposable(() => this.taps.delete(listener));
  }
}
