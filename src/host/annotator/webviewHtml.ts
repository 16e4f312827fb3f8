// The annotator's HTML shell: strict CSP with a per-load nonce, scripts and styles only from dist/webview.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function annotatorHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
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
<link rel="stylesheet" href="${asset('annotator.css')}" nonce="${nonce}">
<title>Pair Annotator</title>
</head>
<body>
<div id="app" data-nonce="${nonce}"><p class="loading">Loading the annotator…</p></div>
<script nonce="${nonce}" src="${asset('annotator.js')}"></script>
</body>
</html>`;
}
