// Quick fixes for dataset problems, as text edits on the problem's own line. Pure so they are unit-tested without an
// editor; the host turns them into WorkspaceEdits. Each fix re-locates its key or value in the current line text with a
// JSON parser (offsets, not the problem's columns), so a fix stays correct after the user typed elsewhere on the line,
// and it only ever replaces the few characters concerned: key order, spacing, escapes and unknown keys are untouched.
import { parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { Problem, ProblemCode } from './types';

/** Columns are 1-based and `endColumn` is exclusive, like `Problem`. */
export type FixEdit =
  | { kind: 'replace'; line: number; startColumn: number; endColumn: number; newText: string }
  /** The whole line with its line break: the host knows how the file ends. */
  | { kind: 'deleteLine'; line: number };

export interface QuickFix {
  title: string;
  code: ProblemCode;
  edits: FixEdit[];
  /** Offered as the one-keystroke fix (`isPreferred`): only where no judgement is involved. */
  preferred: boolean;
}

/**
 * The quick fixes for one problem, computed against `lineText` (the line as it is now) at 1-based `line`
 * (defaults to `problem.line`; pass the current line when edits above moved it). Returns [] where no fix is obvious
 * or the line no longer holds what the problem described.
 */
export function quickFixesFor(lineText: string, problem: Problem, line: number = problem.line): QuickFix[] {
  switch (problem.code) {
    case 'duplicate':
      return [{
        title: `Remove duplicate record${firstLineNote(problem, 'same as')}`,
        code: problem.code,
        edits: [{ kind: 'deleteLine', line }],
        preferred: true,
      }];
    case 'near-duplicate':
      // Near is a judgement call: offered, never preferred.
      return [{
        title: `Remove near-duplicate record${firstLineNote(problem, 'similar to')}`,
        code: problem.code,
        edits: [{ kind: 'deleteLine', line }],
        preferred: false,
      }];
    case 'missing-field':
      return renameKeyFix(lineText, problem, line);
    case 'bad-role':
      return fixRoleFix(lineText, problem, line);
    case 'trailing-whitespace':
      return trimWhitespaceFix(lineText, problem, line);
    default:
      return [];
  }
}

function firstLineNote(problem: Problem, relation: string): string {
  const first = problem.data?.firstLine;
  return typeof first === 'number' ? ` (${relation} line ${first})` : '';
}

function renameKeyFix(lineText: string, problem: Problem, line: number): QuickFix[] {
  const key = stringData(problem, 'key');
  const suggestion = stringData(problem, 'suggestion');
  if (key === undefined || suggestion === undefined || key === suggestion) return [];
  const root = parseLine(lineText);
  if (!root) return [];
  // The misspelled key sits in the object that should have held the missing field: the field path's parent.
  const path = problem.field ? parseFieldPath(problem.field) : [];
  const candidates = [nodeAt(root, path.slice(0, -1)), root].filter((n): n is JsonNode => n?.type === 'object');
  for (const obj of candidates) {
    const props = obj.children ?? [];
    // Renaming onto a key that already exists would make the record ambiguous: no obvious fix then.
    if (props.some((p) => p.children?.[0]?.value === suggestion)) return [];
    const prop = props.find((p) => p.children?.[0]?.value === key);
    const keyNode = prop?.children?.[0];
    if (!keyNode) continue;
    return [{
      title: `Rename "${key}" to "${suggestion}"`,
      code: problem.code,
      edits: [replaceNode(line, keyNode, JSON.stringify(suggestion))],
      preferred: true,
    }];
  }
  return [];
}

function fixRoleFix(lineText: string, problem: Problem, line: number): QuickFix[] {
  const role = stringData(problem, 'role');
  const suggestion = stringData(problem, 'suggestion');
  if (role === undefined || suggestion === undefined || role === suggestion) return [];
  const root = parseLine(lineText);
  if (!root) return [];
  let valueNode = problem.field ? nodeAt(root, parseFieldPath(problem.field)) : undefined;
  if (valueNode?.type !== 'string' || valueNode.value !== role) {
    // No usable path: take the `role` value equal to the bad role nearest the reported column.
    const all = collectRoleValues(root).filter((n) => n.value === role);
    all.sort((a, b) => Math.abs(a.offset + 1 - problem.column) - Math.abs(b.offset + 1 - problem.column));
    valueNode = all[0];
  }
  if (!valueNode) return [];
  return [{
    title: `Change role "${role}" to "${suggestion}"`,
    code: problem.code,
    edits: [replaceNode(line, valueNode, JSON.stringify(suggestion))],
    preferred: true,
  }];
}

function trimWhitespaceFix(lineText: string, problem: Problem, line: number): QuickFix[] {
  const field = stringData(problem, 'field') ?? problem.field;
  if (!field) return [];
  const root = parseLine(lineText);
  if (!root) return [];
  const node = nodeAt(root, parseFieldPath(field));
  if (node?.type !== 'string') return [];
  const literal = lineText.slice(node.offset, node.offset + node.length);
  const cut = trailingWhitespaceStart(literal);
  if (cut === undefined) return [];
  return [{
    title: `Trim trailing whitespace in ${field}`,
    code: problem.code,
    edits: [{
      kind: 'replace',
      line,
      startColumn: node.offset + cut + 1,
      endColumn: node.offset + literal.length - 1 + 1,
      newText: '',
    }],
    preferred: true,
  }];
}

/**
 * Where the trailing whitespace of a JSON string literal (quotes included) begins, in source characters, or
 * undefined when there is none. Escapes count by what they decode to, so `"a\n"` and `"a\u0020"` are trimmed too.
 */
export function trailingWhitespaceStart(literal: string): number | undefined {
  const tokens: Array<{ start: number; char: string }> = [];
  for (let i = 1; i < literal.length - 1; ) {
    if (literal[i] === '\\') {
      const next = literal[i + 1];
      if (next === 'u') {
        tokens.push({ start: i, char: String.fromCharCode(parseInt(literal.slice(i + 2, i + 6), 16)) });
        i += 6;
      } else {
        tokens.push({ start: i, char: ESCAPES[next] ?? next });
        i += 2;
      }
    } else {
      tokens.push({ start: i, char: literal[i] });
      i += 1;
    }
  }
  let cut: number | undefined;
  for (let t = tokens.length - 1; t >= 0 && /\s/u.test(tokens[t].char); t--) cut = tokens[t].start;
  return cut;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', b: '\b', '"': '"', '\\': '\\', '/': '/' };

/** `messages[2].role` → ['messages', 2, 'role']; quoted segments (`["a.b"]`) are taken verbatim. */
export function parseFieldPath(field: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const m of field.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return out;
}

function parseLine(lineText: string): JsonNode | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(lineText, errors, { allowTrailingComma: false, disallowComments: true });
  // A line that does not parse as one JSON object has a json-parse problem of its own; fixing keys in it would guess.
  return root?.type === 'object' && errors.length === 0 ? root : undefined;
}

function nodeAt(root: JsonNode, path: Array<string | number>): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === 'number') {
      node = node.type === 'array' ? node.children?.[seg] : undefined;
    } else if (node.type === 'object') {
      // The last duplicate key wins, as in JSON.parse.
      const prop: JsonNode | undefined = node.children?.filter((p) => p.children?.[0]?.value === seg).at(-1);
      node = prop?.children?.[1];
    } else return undefined;
  }
  return node;
}

function collectRoleValues(node: JsonNode, out: JsonNode[] = []): JsonNode[] {
  if (node.type === 'property' && node.children?.[0]?.value === 'role' && node.children[1]?.type === 'string') {
    out.push(node.children[1]);
  }
  for (const c of node.children ?? []) collectRoleValues(c, out);
  return out;
}

function replaceNode(line: number, node: JsonNode, newText: string): FixEdit {
  return { kind: 'replace', line, startColumn: node.offset + 1, endColumn: node.offset + node.length + 1, newText };
}

function stringData(problem: Problem, key: string): string | undefined {
  const v = problem.data?.[key];
  return typeof v === 'string' ? v : undefined;
}
