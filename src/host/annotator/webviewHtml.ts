// The annotator's page: the shared webview shell; the script reads the nonce from #app for the styles it adds.
import type * as vscode from 'vscode';
import { webviewHtml, webviewResourceRoots } from '../webviewHtml';

export const localResourceRoots = webviewResourceRoots;

export function annotatorHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, {
    title: 'Pair Annotator',
    bundle: 'annotator',
    css: true,
    body: (nonce) => `<div id="app" data-nonce="${nonce}"><p class="loading">Loading the annotator…</p></div>`,
  });
}
