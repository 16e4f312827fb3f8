// A tag-level view of a Jinja source: where each `{{ }}`, `{% %}` and `{# #}` starts, with line and column.
// @huggingface/jinja keeps no source positions, so errors are mapped back to a tag through this scan.

export interface Tag {
  kind: 'expression' | 'statement' | 'comment';
  /** Offsets [start, end) in the source, delimiters included; end is the source length when unterminated. */
  start: number;
  end: number;
  /** `{%-` / `{{-`: strips the whitespace before it. */
  trimBefore: boolean;
  /** The statement keyword (`for`, `endif`, `generation` …) for statements. */
  keyword?: string;
  closed: boolean;
}

const OPENERS: Record<string, Tag['kind']> = { '{{': 'expression', '{%': 'statement', '{#': 'comment' };
const CLOSERS: Record<Tag['kind'], string> = { expression: '}}', statement: '%}', comment: '#}' };

export function scanTags(source: string): Tag[] {
  const tags: Tag[] = [];
  let i = 0;
  for (;;) {
    const open = source.indexOf('{', i);
    if (open < 0 || open + 1 >= source.length) break;
    const kind = OPENERS[source.slice(open, open + 2)];
    if (!kind) { i = open + 1; continue; }
    const closer = CLOSERS[kind];
    let j = open + 2;
    let end = -1;
    let quote = '';
    while (j < source.length) {
      const c = source[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (kind !== 'comment' && (c === '"' || c === "'")) quote = c;
      else if (source.startsWith(closer, j)) { end = j + 2; break; }
      j++;
    }
    const closed = end >= 0;
    if (!closed) end = source.length;
    const trimBefore = source[open + 2] === '-';
    const keyword = kind === 'statement' ? /^-?\s*([A-Za-z_]\w*)/.exec(source.slice(open + 2, end))?.[1] : undefined;
    tags.push({ kind, start: open, end, trimBefore, keyword, closed });
    if (!closed) break;
    i = end;
  }
  return tags;
}

/** 1-based line and column of an offset. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') { line++; lineStart = i + 1; }
  }
  return { line, column: offset - lineStart + 1 };
}

const BLOCK_OPENERS = new Set(['for', 'if', 'macro', 'call', 'filter', 'generation', 'raw']);

/** The innermost block left open at the end of the source (`{% for %}` without `{% endfor %}`), if any. */
export function unclosedBlock(source: string, tags: Tag[] = scanTags(source)): Tag | undefined {
  return openBlocks(source, tags).at(-1);
}

/** Blocks open just before `tags[upTo]` (all tags by default), outermost first. */
export function openBlocks(source: string, tags: Tag[], upTo = tags.length): Tag[] {
  const stack: Tag[] = [];
  for (const t of tags.slice(0, upTo)) {
    if (t.kind !== 'statement' || !t.keyword) continue;
    const inner = source.slice(t.start + 2, t.end - 2);
    // `{% set x = … %}` is a one-liner; only `{% set x %}` opens a block.
    const opens = BLOCK_OPENERS.has(t.keyword) || (t.keyword === 'set' && !inner.includes('='));
    if (opens) stack.push(t);
    else if (t.keyword.startsWith('end') && stack.length && stack.at(-1)!.keyword === t.keyword.slice(3)) stack.pop();
  }
  return stack;
}
