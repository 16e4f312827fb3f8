// The HTML shell every Instruct Studio webview uses: strict CSP with a per-load nonce, and scripts,
// styles and fonts only from the extension's own dist/webview and media folders.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

/** The only folders a webview may load from. */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export interface WebviewPage {
  title: string;
  /** Bundle name under dist/webview: `<name>.js`, and `<name>.css` when `css` is set. */
  bundle: string;
  css?: boolean;
  /** Static markup of the page body (trusted: written by us, never from user data); a function gets the nonce. */
  body: string | ((nonce: string) => string);
  /** Extra CSP sources, e.g. `worker-src blob:` for Monaco. */
  extraCsp?: string[];
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    ...(page.extraCsp ?? []),
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.css ? `<link rel="stylesheet" href="${asset(`${page.bundle}.css`)}" nonce="${nonce}">` : ''}
<title>${escapeHtml(page.title)}</title>
</head>
<body>
${typeof page.body === 'function' ? page.body(nonce) : page.body}
<script nonce="${nonce}" src="${asset(`${page.bundle}.js`)}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
