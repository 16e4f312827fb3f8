// User-written `regex` checks run over model output, so a pattern with catastrophic backtracking could hang an
// evaluation. Patterns are screened statically (length, backreferences, nested quantifiers) and every match still
// runs under a time limit, because V8 offers no other way to interrupt a backtracking match.
import * as vm from 'node:vm';

export const MAX_PATTERN_LENGTH = 200;
export const REGEX_FLAGS = 'imsu';
/** A screened pattern that still runs this long is treated as not matching. */
export const MATCH_TIME_LIMIT_MS = 250;

/** Why the pattern is unsafe or invalid, or null when it may be compiled. */
export function regexProblem(pattern: string, flags = ''): { field: 'pattern' | 'flags'; message: string } | null {
  if (pattern.length === 0) return { field: 'pattern', message: 'an empty pattern matches everything' };
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { field: 'pattern', message: `longer than ${MAX_PATTERN_LENGTH} characters (${pattern.length})` };
  }
  for (const f of flags) {
    if (!REGEX_FLAGS.includes(f)) return { field: 'flags', message: `unsupported flag "${f}" (allowed: ${REGEX_FLAGS.split('').join(', ')})` };
  }
  if (new Set(flags).size !== flags.length) return { field: 'flags', message: `repeated flag in "${flags}"` };
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    return { field: 'pattern', message: `not a valid regular expression: ${(e as Error).message}` };
  }
  const structural = structureProblem(pattern);
  return structural ? { field: 'pattern', message: structural } : null;
}

interface Frame {
  hasQuantifier: boolean;
}

/** Scans the pattern's structure for the two shapes that backtrack exponentially: backreferences and `(a+)+`. */
function structureProblem(pattern: string): string | null {
  const stack: Frame[] = [{ hasQuantifier: false }];
  // What the next quantifier would apply to: a closed group (and whether it held a quantifier) or a single atom.
  let lastAtom: { group: boolean; hasQuantifier: boolean } | null = null;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'backreferences are not allowed (they can backtrack exponentially)';
      lastAtom = { group: false, hasQuantifier: false };
      i += 2;
      continue;
    }
    if (ch === '[') {
      i = skipClass(pattern, i);
      lastAtom = { group: false, hasQuantifier: false };
      continue;
    }
    if (ch === '(') {
      stack.push({ hasQuantifier: false });
      lastAtom = null;
      i = skipGroupPrefix(pattern, i + 1);
      continue;
    }
    if (ch === ')') {
      const closed = stack.length > 1 ? (stack.pop() as Frame) : { hasQuantifier: false };
      lastAtom = { group: true, hasQuantifier: closed.hasQuantifier };
      if (closed.hasQuantifier) stack[stack.length - 1].hasQuantifier = true;
      i += 1;
      continue;
    }
    const quantifier = readQuantifier(pattern, i);
    if (quantifier) {
      if (lastAtom?.group && lastAtom.hasQuantifier && quantifier.repeats) {
        return `nested quantifier at ${i} (a repeated group that itself contains a quantifier, like "(a+)+", can backtrack exponentially)`;
      }
      stack[stack.length - 1].hasQuantifier = true;
      i = quantifier.end;
      // A lazy or possessive marker belongs to the quantifier just read.
      if (pattern[i] === '?') i += 1;
      lastAtom = null;
      continue;
    }
    lastAtom = ch === '|' ? null : { group: false, hasQuantifier: false };
    i += 1;
  }
  return null;
}

/** Skips `?:`, `?=`, `?!`, `?<=`, `?<!` and `?<name>` so their `?` is not read as a quantifier. */
function skipGroupPrefix(pattern: string, i: number): number {
  if (pattern[i] !== '?') return i;
  if (pattern[i + 1] === '<' && pattern[i + 2] !== '=' && pattern[i + 2] !== '!') {
    const close = pattern.indexOf('>', i);
    return close === -1 ? pattern.length : close + 1;
  }
  return pattern[i + 1] === '<' ? i + 3 : i + 2;
}

function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i += 1;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** A quantifier at `i`, and whether it can repeat its atom more than once. */
function readQuantifier(pattern: string, i: number): { end: number; repeats: boolean } | null {
  const ch = pattern[i];
  if (ch === '*' || ch === '+') return { end: i + 1, repeats: true };
  if (ch === '?') return { end: i + 1, repeats: false };
  if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (!m) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    return { end: i + m[0].length, repeats: max > 1 };
  }
  return null;
}

// Created on first use, so importing the checks costs nothing where no regex check runs.
let sandbox: { context: vm.Context & { re: RegExp | null; text: string }; script: vm.Script } | null = null;

/** Whether a screened pattern matches `text`; a match that outlives the time limit counts as no match. */
export function safeRegexTest(pattern: string, flags: string, text: string): boolean {
  const problem = regexProblem(pattern, flags);
  if (problem) throw new Error(`${problem.field}: ${problem.message}`);
  sandbox ??= { context: vm.createContext({ re: null, text: '' }) as vm.Context & { re: RegExp | null; text: string }, script: new vm.Script('re.test(text)') };
  const { context, script } = sandbox;
  context.re = new RegExp(pattern, flags);
  context.text = text;
  try {
    return script.runInContext(context, { timeout: MATCH_TIME_LIMIT_MS }) === true;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return false;
    throw e;
  } finally {
    context.re = null;
    context.text = '';
  }
}
