// An editor buffer as the worker's input, read in slices (see chunkedText.ts) so typing never stalls.
import * as vscode from 'vscode';
import type { TextContent } from '../../shared/protocol/datasetWorker';
import { readInChunks } from './chunkedText';

export function documentLength(doc: vscode.TextDocument): number {
  return doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
}

/**
 * The buffer's content, or undefined when the document changed (or `stillWanted` turned false) while it was being
 * read: the caller then reads the newer version instead.
 */
export function readDocumentContent(doc: vscode.TextDocument, stillWanted: () => boolean): Promise<TextContent | undefined> {
  const version = doc.version;
  return readInChunks({
    lineCount: doc.lineCount,
    length: documentLength(doc),
    // Ranges end at the next line's start so line breaks travel with their line; the last ends at the buffer's end.
    textOfLines: (start, end) => doc.getText(end < doc.lineCount
      ? new vscode.Range(start, 0, end, 0)
      : new vscode.Range(start, 0, end - 1, doc.lineAt(end - 1).text.length)),
    text: () => doc.getText(),
    unchanged: () => !doc.isClosed && doc.version === version && stillWanted(),
  });
}
