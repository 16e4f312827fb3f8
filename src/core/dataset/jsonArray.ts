// `.json` datasets: a top-level array of records. Elements are cut out by a structural scan (strings, brackets),
// then parsed one by one, so a bad element is reported at its own line and the rest are still read.
import type { PositionOf } from './scanner';

export interface ArrayElement {
  /** Offset of the element's first character in the text. */
  start: number;
  text: string;
  parsed: { value: unknown } | { error: Error };
}

export interface ArrayScan {
  elements: ArrayElement[];
  /** Structural problems (missing `]`, text after it, empty elements), with their offsets. */
  errors: Array<{ offset: number; message: string }>;
}

/** Line-start offsets, for turning offsets into 1-based line and column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function positionIn(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

export function positionOfElement(starts: readonly number[], base: number): PositionOf {
  return (o) => positionIn(starts, base + o);
}

const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** `text` must start (after whitespace) with `[`. */
export function scanJsonArray(text: string): ArrayScan {
  const elements: ArrayElement[] = [];
  const errors: ArrayScan['errors'] = [];
  let i = 0;
  const skipWs = () => { while (i < text.length && isWs(text.charCodeAt(i))) i++; };
  skipWs();
  i++; // '['
  skipWs();
  if (text[i] === ']') return finishAfter(i + 1);
  while (i < text.length) {
    skipWs();
    const start = i;
    let depth = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        while (i < text.length && text.charCodeAt(i) !== 34) {
          if (text.charCodeAt(i) === 92) i++;
          // a raw line break inside a string is invalid JSON: stop the string there so the damage stays local
          else if (text.charCodeAt(i) === 10) break;
          i++;
        }
        i++;
        continue;
      }
      if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (depth === 0) break;
        depth--;
      } else if (c === 44 && depth === 0) break;
      i++;
    }
    let end = i;
    while (end > start && isWs(text.charCodeAt(end - 1))) end--;
    const slice = text.slice(start, end);
    if (slice === '') errors.push({ offset: start, message: 'an empty element (a trailing or doubled comma?)' });
    else pushElement(start, slice);
    if (i >= text.length) break;
    if (text[i] === ']') return finishAfter(i + 1);
    i++; // ','
  }
  errors.push({ offset: text.length, message: 'the array is not closed with "]"' });
  return { elements, errors };

  function pushElement(start: number, slice: string): void {
    let parsed: ArrayElement['parsed'];
    try {
      parsed = { value: JSON.parse(slice) };
    } catch (e) {
      parsed = { error: e as Error };
    }
    elements.push({ start, text: slice, parsed });
  }

  function finishAfter(j: number): ArrayScan {
    while (j < text.length && isWs(text.charCodeAt(j))) j++;
    if (j < text.length) errors.push({ offset: j, message: 'unexpected text after the closing "]"' });
    return { elements, errors };
  }
}
