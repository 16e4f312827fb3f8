// Monaco's editor worker as its own bundle (dist/webview/editor.worker.js): the page fetches it and starts it from a Blob.
import 'monaco-editor/editor/editor.worker.js';
