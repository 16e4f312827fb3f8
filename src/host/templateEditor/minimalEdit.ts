// The smallest single replacement that turns one text into another. Edits from the webview arrive as whole
// texts; applying only the changed middle keeps the text editor's cursors, folding and undo steps sensible.

export interface TextReplace {
  /** Offsets into the old text (UTF-16), [start, end). */
  start: number;
  end: number;
  text: string;
}

/** `undefined` when the texts are equal. Never splits a surrogate pair or a CRLF. */
export function minimalReplace(before: string, after: string): TextReplace | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  let head = 0;
  while (head < max && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < max - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  // Keep pairs whole: a cut between a high and a low surrogate, or between \r and \n, would be a broken edit.
  while (head > 0 && (isLowSurrogate(before.charCodeAt(head)) || (before[head - 1] === '\r' && before[head] === '\n'))) head--;
  while (tail > 0 && (isLowSurrogate(before.charCodeAt(before.length - tail)) || (before[before.length - tail - 1] === '\r' && before[before.length - tail] === '\n'))) tail--;
  return { start: head, end: before.length - tail, text: after.slice(head, after.length - tail) };
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
