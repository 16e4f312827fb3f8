// Reads an editor buffer for the worker without blocking the host: small buffers as one string, big ones as UTF-8
// chunks of about a megabyte, yielding to the event loop between chunks and transferred (not copied) to the worker.
import * as vscode from 'vscode';
import type { TextContent } from '../../shared/protocol/datasetWorker';

/** Below this many characters `getText()` plus a copy into the message stays well under the host's 50 ms budget. */
const SMALL_BUFFER_CHARS = 2_000_000;
const CHUNK_CHARS = 1_000_000;

export function documentLength(doc: vscode.TextDocument): number {
  return doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
}

/**
 * The buffer's content, or undefined when the document changed (or `stillWanted` turned false) while it was being
 * read: the caller then reads the newer version instead.
 */
export async function readDocumentContent(doc: vscode.TextDocument, stillWanted: () => boolean): Promise<TextContent | undefined> {
  const length = documentLength(doc);
  if (length <= SMALL_BUFFER_CHARS) return { text: doc.getText() };
  const version = doc.version;
  const encoder = new TextEncoder();
  const linesPerChunk = Math.max(1, Math.floor((doc.lineCount * CHUNK_CHARS) / length));
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < doc.lineCount; start += linesPerChunk) {
    const end = Math.min(doc.lineCount, start + linesPerChunk);
    // Ranges end at the next line's start so line breaks travel with their line; the last one ends at the buffer's end.
    const range = end < doc.lineCount ? new vscode.Range(start, 0, end, 0) : new vscode.Range(start, 0, end - 1, doc.lineAt(end - 1).text.length);
    chunks.push(encoder.encode(doc.getText(range)));
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (doc.isClosed || doc.version !== version || !stillWanted()) return undefined;
  }
  return { chunks };
}
