// The statistics page's HTML shell: strict CSP with a per-load nonce, script and styles only from dist/webview.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export function statsResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function statsHtml(webview: vscode.Webview, extensionUri: vscode.Uri, dataset: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('stats.css')}" nonce="${nonce}">
<title>Dataset Statistics</title>
</head>
<body>
<main id="app" data-uri="${escapeAttr(dataset.toString())}"><p class="loading">Loading…</p></main>
<script nonce="${nonce}" src="${asset('stats.js')}"></script>
</body>
</html>`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
