// The statistics page: the shared webview shell with the dataset's URI for the script to ask about.
import type * as vscode from 'vscode';
import { escapeHtml, webviewHtml, webviewResourceRoots } from '../webviewHtml';

export const statsResourceRoots = webviewResourceRoots;

export function statsHtml(webview: vscode.Webview, extensionUri: vscode.Uri, dataset: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, {
    title: 'Dataset Statistics',
    bundle: 'stats',
    css: true,
    body: `<main id="app" data-uri="${escapeHtml(dataset.toString())}"><p class="loading">Loading…</p></main>`,
  });
}
