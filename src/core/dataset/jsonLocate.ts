// Finds where each key and value of a JSON text sits, by JSON path, so problems can point at the exact characters.
// Only run on records that have a problem: the fast path is JSON.parse alone.

export interface Span {
  start: number;
  /** Exclusive. */
  end: number;
}

export interface Located {
  /** The key literal (quotes included) of an object member. */
  key?: Span;
  /** The value (a string literal includes its quotes). */
  value: Span;
}

/** JSON path as the problems name it: `messages[2].role`; the root is ''. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/**
 * Locates every member and element of valid JSON text. Returns an empty map for text that is not valid JSON
 * (the caller already parsed it, so this only happens on a bug).
 */
export function locatePaths(text: string): Map<string, Located> {
  const out = new Map<string, Located>();
  let i = 0;
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) i++;
      else break;
    }
  };
  const str = (): number => {
    // i is at the opening quote; returns the index after the closing quote.
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 34) return ++i;
      else i++;
    }
    throw new Error('unterminated');
  };
  const value = (path: string, key?: Span): void => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else {
        for (;;) {
          ws();
          const ks = i;
          str();
          const keySpan = { start: ks, end: i };
          const name = JSON.parse(text.slice(ks, i)) as string;
          ws();
          i++; // ':'
          value(joinPath(path, name), keySpan);
          ws();
          if (text[i++] === '}') break;
        }
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else {
        for (let n = 0; ; n++) {
          value(joinPath(path, n));
          ws();
          if (text[i++] === ']') break;
        }
      }
    } else if (c === '"') str();
    else {
      while (i < text.length && !',]} \t\r\n'.includes(text[i])) i++;
    }
    out.set(path, { key, value: { start, end: i } });
  };
  try {
    value('');
  } catch {
    return new Map();
  }
  return out;
}
