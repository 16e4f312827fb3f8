// The reference implementations these metrics reproduce are Python; the few places where Python's
// string semantics differ from JavaScript's are pinned here so scores match theirs character for character.

/** Python's `str.isspace()` set: JavaScript's `\s` adds U+FEFF and lacks U+001C–U+001F and U+0085. */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'u');

/** Python's `str.split()` with no separator: split on whitespace runs, drop empty pieces. */
export function pySplit(text: string): string[] {
  return text.split(PY_SPACE_RUN).filter((t) => t.length > 0);
}

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu'), '');
}

/** Python's `string.punctuation`: ASCII only, which is why SQuAD keeps curly quotes and dashes. */
export const PY_PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/**
 * A Python `\w` character for `str` patterns (letters, numbers, underscore in any script). JavaScript's `\w` and
 * `\b` are ASCII-only even with the `u` flag, which would treat "é" as a word boundary.
 */
export const PY_WORD_CHAR = '[\\p{L}\\p{N}_]';
