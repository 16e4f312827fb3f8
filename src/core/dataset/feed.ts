// Feeding a scanner from a whole text or from a file on disk, JSONL or `.json` array alike.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { DatasetScanner } from './scanner';
import { lineStarts, positionIn, positionOfElement, scanJsonArray } from './jsonArray';

/** `.json` files holding an array are read as arrays; anything else (`.jsonl`, or JSONL saved as `.json`) as lines. */
export function looksLikeJsonArray(text: string, file?: string): boolean {
  if (file && /\.jsonl$/i.test(file)) return false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  return text[i] === '[';
}

export function feedText(text: string, scanner: DatasetScanner, file?: string): void {
  if (looksLikeJsonArray(text, file)) return feedJsonArray(text, scanner);
  let line = 1;
  let start = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    scanner.push(text.slice(start, nl), line++);
    start = nl + 1;
  }
  if (start < text.length) scanner.push(text.slice(start), line);
}

function feedJsonArray(text: string, scanner: DatasetScanner): void {
  // editors do not show the BOM: columns on line 1 count from after it
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const starts = lineStarts(text);
  const scan = scanJsonArray(text);
  const structural = scan.errors.map((e) => ({ ...positionIn(starts, e.offset), message: e.message }));
  let next = 0;
  for (const el of scan.elements) {
    // structural problems are reported in file order among the elements
    while (next < structural.length && scan.errors[next].offset < el.start) addStructural(structural[next++]);
    scanner.pushElement(el.text, positionOfElement(starts, el.start), el.parsed);
  }
  while (next < structural.length) addStructural(structural[next++]);

  function addStructural(p: { line: number; column: number; message: string }): void {
    scanner.addProblem({ line: p.line, column: p.column, endColumn: p.column + 1, severity: 'error', code: 'json-parse', message: `invalid JSON array: ${p.message}`, data: {} });
  }
}

/**
 * Streams a file through the scanner line by line, in constant memory (apart from what the scanner keeps).
 * `.json` arrays are read whole: an array cannot be split into records before its end is known.
 */
export async function feedFile(path: string, scanner: DatasetScanner): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) throw Object.assign(new Error(`${path}: is a directory`), { code: 'EISDIR', path });
  if (/\.json$/i.test(path)) {
    const head = await readHead(path);
    if (looksLikeJsonArray(head, path)) {
      feedText(await readFile(path, 'utf8'), scanner, path);
      return;
    }
  }
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let line = 1;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    const text = carry + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      scanner.push(text.slice(start, nl), line++);
      start = nl + 1;
    }
    carry = start === 0 ? text : text.slice(start);
  }
  carry += decoder.end();
  if (carry.length) scanner.push(carry, line);
}

async function readHead(path: string): Promise<string> {
  const stream = createReadStream(path, { start: 0, end: 4095, encoding: 'utf8' });
  let s = '';
  for await (const chunk of stream) s += chunk as string;
  return s;
}
