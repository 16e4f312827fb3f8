// Minimal edits of one JSONL line: change only the span of the value concerned, so the user's key order,
// spacing, escapes and every other key stay byte-identical. A new key is appended to its object in the
// line's own separator style.
// The ESM build: esbuild cannot follow the UMD build's runtime require() calls, which break the bundle.
import { parseTree, findNodeAtLocation, type Node } from 'jsonc-parser/lib/esm/main.js';

export type JsonPath = Array<string | number>;

/** Bad input for an edit: the message names the field; the caller adds the file and line. */
export class LineEditError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'LineEditError';
  }
}

export function pathToString(path: JsonPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

interface Style {
  /** Text between a key and its value, e.g. `": "` is `: `. */
  colon: string;
  /** Text between one member and the next, e.g. `, `. */
  comma: string;
}

/** Parses a line that must be strict JSON (jsonc-parser alone would also accept comments and trailing commas). */
function parseLine(line: string): Node {
  try {
    JSON.parse(line);
  } catch (e) {
    throw new LineEditError(`the line is not valid JSON (${(e as Error).message}); fix it in the text editor first`);
  }
  const root = parseTree(line);
  if (!root) throw new LineEditError('the line is empty');
  return root;
}

/** The separators this line already uses, so inserted text looks like the user's (or JSON.stringify's) own. */
function detectStyle(line: string, root: Node): Style {
  let colon: string | undefined;
  let comma: string | undefined;
  const visit = (n: Node): void => {
    if (colon !== undefined && comma !== undefined) return;
    const kids = n.children ?? [];
    if (n.type === 'property' && kids.length === 2 && colon === undefined) {
      const key = kids[0];
      colon = line.slice(key.offset + key.length, kids[1].offset).replace(/^\s*:/, ':').slice(1);
    }
    if ((n.type === 'object' || n.type === 'array') && kids.length >= 2 && comma === undefined) {
      const between = line.slice(kids[0].offset + kids[0].length, kids[1].offset);
      comma = between.slice(between.indexOf(',') + 1);
    }
    for (const k of kids) visit(k);
  };
  visit(root);
  return { colon: colon ?? ' ', comma: comma ?? ' ' };
}

/** JSON text of a value in the line's style, always on one line. */
function stringify(value: unknown, style: Style): string {
  if (Array.isArray(value)) return `[${value.map((v) => stringify(v, style)).join(`,${style.comma}`)}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${style.colon}${stringify(v, style)}`).join(`,${style.comma}`)}}`;
  }
  const s = JSON.stringify(value);
  if (s === undefined) throw new LineEditError(`cannot store ${String(value)} in JSON`);
  return s;
}

function splice(line: string, start: number, end: number, text: string): string {
  return line.slice(0, start) + text + line.slice(end);
}

function nodeAt(root: Node, path: JsonPath): Node | undefined {
  return path.length === 0 ? root : findNodeAtLocation(root, path);
}

/** The raw JSON text of the value at `path`, or undefined when there is none. */
export function rawValueAt(line: string, path: JsonPath): string | undefined {
  const n = nodeAt(parseLine(line), path);
  return n ? line.slice(n.offset, n.offset + n.length) : undefined;
}

/**
 * Sets the value at `path`. An existing value's span is replaced; a missing key is appended to the deepest
 * existing object on the path, with the missing levels built as nested objects.
 */
export function setValue(line: string, path: JsonPath, value: unknown): string {
  if (path.length === 0) throw new LineEditError('cannot replace the whole record');
  const root = parseLine(line);
  const style = detectStyle(line, root);
  const existing = nodeAt(root, path);
  if (existing) return splice(line, existing.offset, existing.offset + existing.length, stringify(value, style));

  // Find the deepest existing container on the path and wrap the rest of the path around the value.
  let depth = path.length - 1;
  let parent = nodeAt(root, path.slice(0, depth));
  while (!parent) parent = nodeAt(root, path.slice(0, --depth));
  const key = path[depth];
  const here = pathToString(path.slice(0, depth)) || 'the record';
  if (parent.type !== 'object' || typeof key !== 'string') {
    throw new LineEditError(`${here} is ${parent.type === 'array' ? 'an array without that index' : `a ${parent.type}`}, so ${pathToString(path)} cannot be set`, pathToString(path.slice(0, depth)) || undefined);
  }
  let wrapped: unknown = value;
  for (let i = path.length - 1; i > depth; i--) {
    const k = path[i];
    if (typeof k !== 'string') throw new LineEditError(`cannot create array index ${pathToString(path.slice(0, i + 1))}`, pathToString(path));
    wrapped = { [k]: wrapped };
  }
  const member = `${JSON.stringify(key)}:${style.colon}${stringify(wrapped, style)}`;
  const props = parent.children ?? [];
  if (props.length === 0) {
    const open = parent.offset + 1;
    const close = parent.offset + parent.length - 1;
    return splice(line, open, close, member);
  }
  const last = props[props.length - 1];
  const at = last.offset + last.length;
  return splice(line, at, at, `,${style.comma}${member}`);
}

/** Removes the member at `path` with its separator; a missing member is no change. */
export function removeValue(line: string, path: JsonPath): string {
  if (path.length === 0) throw new LineEditError('cannot remove the whole record');
  const root = parseLine(line);
  const target = nodeAt(root, path);
  if (!target) return line;
  const member = target.parent?.type === 'property' ? target.parent : target;
  const container = member.parent;
  if (!container) return line;
  const siblings = container.children ?? [];
  const i = siblings.indexOf(member);
  if (siblings.length === 1) return splice(line, container.offset + 1, container.offset + container.length - 1, '');
  if (i > 0) {
    const prev = siblings[i - 1];
    return splice(line, prev.offset + prev.length, member.offset + member.length, '');
  }
  return splice(line, member.offset, siblings[1].offset, '');
}

/** Exchanges the raw texts of two values (e.g. `chosen` and `rejected`); nothing else moves. */
export function swapValues(line: string, a: JsonPath, b: JsonPath): string {
  const root = parseLine(line);
  const na = nodeAt(root, a);
  const nb = nodeAt(root, b);
  if (!na) throw new LineEditError(`the record has no ${pathToString(a)}`, pathToString(a));
  if (!nb) throw new LineEditError(`the record has no ${pathToString(b)}`, pathToString(b));
  const [first, second] = na.offset < nb.offset ? [na, nb] : [nb, na];
  if (first.offset + first.length > second.offset) throw new LineEditError(`${pathToString(a)} and ${pathToString(b)} overlap`);
  const t1 = line.slice(first.offset, first.offset + first.length);
  const t2 = line.slice(second.offset, second.offset + second.length);
  return line.slice(0, first.offset) + t2 + line.slice(first.offset + first.length, second.offset) + t1 + line.slice(second.offset + second.length);
}
