// The check types: what each verifies, its parameters, and the rule. Where IFEval has the same instruction the rule
// follows IFEval's implementation (noted per check), so scores are comparable with its published numbers.
import { pyStrip, PY_WORD_CHAR } from '../pythonText';
import type { CheckDefinition, ParamSpec } from './types';
import { safeRegexTest } from './safeRegex';
import { splitIntoSentences } from './sentences';

const count = (min = 0): ParamSpec => ({ kind: 'int', min, required: true });
const text: ParamSpec = { kind: 'text', required: true };
const caseSensitive: ParamSpec = { kind: 'bool' };

const WORD = new RegExp(`${PY_WORD_CHAR}+`, 'gu');

/** IFEval's `count_words`: nltk's `RegexpTokenizer(r"\w+")`. */
export function countWords(response: string): number {
  return response.match(WORD)?.length ?? 0;
}

/** Bullets as IFEval counts them: lines starting with `*` (not `**` bold) or `-`. */
export function countBullets(response: string): number {
  const star = response.match(/^\s*\*[^*].*$/gm)?.length ?? 0;
  const dash = response.match(/^\s*-.*$/gm)?.length ?? 0;
  return star + dash;
}

/**
 * Paragraphs separated by `***` (IFEval's rule: an empty paragraph between two separators fails the check) or, when
 * the response has no `***`, by blank lines. Returns -1 for an empty middle paragraph.
 */
export function countParagraphs(response: string, separator: 'auto' | '***' | 'blank_line'): number {
  const useStars = separator === '***' || (separator === 'auto' && response.includes('***'));
  if (!useStars) return response.split(/\n[ \t\r\f\v]*\n/).filter((p) => p.trim() !== '').length;
  const paragraphs = response.split(/\s?\*\*\*\s?/);
  let n = paragraphs.length;
  for (let i = 0; i < paragraphs.length; i++) {
    if (paragraphs[i].trim() !== '') continue;
    if (i === 0 || i === paragraphs.length - 1) n -= 1;
    else return -1;
  }
  return n;
}

function includes(haystack: string, needle: string, sensitive: boolean): boolean {
  return sensitive ? haystack.includes(needle) : haystack.toLowerCase().includes(needle.toLowerCase());
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole-word, case-insensitive occurrences (IFEval's keyword checks search case-insensitively). */
export function keywordOccurrences(response: string, keyword: string): number {
  const re = new RegExp(`(?<!${PY_WORD_CHAR})${escapeRegExp(keyword)}(?!${PY_WORD_CHAR})`, 'giu');
  return response.match(re)?.length ?? 0;
}

/** IFEval's json_format: markdown code fences around the JSON are allowed. */
export function isJson(response: string): boolean {
  let v = pyStrip(response);
  // Chained like IFEval's `removeprefix` calls: each is tried on what the previous one left.
  for (const fence of ['```json', '```Json', '```JSON', '```']) {
    if (v.startsWith(fence)) v = v.slice(fence.length);
  }
  if (v.endsWith('```')) v = v.slice(0, -3);
  try {
    JSON.parse(pyStrip(v));
    return true;
  } catch {
    return false;
  }
}

const n = (p: Readonly<Record<string, unknown>>): number => p.n as number;
const str = (p: Readonly<Record<string, unknown>>, k: string): string => p[k] as string;

export const CHECK_DEFINITIONS: Readonly<Record<string, CheckDefinition>> = {
  max_words: { summary: 'at most n words', params: { n: count() }, test: (r, p) => countWords(r) <= n(p) },
  min_words: { summary: 'at least n words', params: { n: count() }, test: (r, p) => countWords(r) >= n(p) },
  max_chars: { summary: 'at most n characters (code points)', params: { n: count() }, test: (r, p) => Array.from(r).length <= n(p) },
  max_sentences: { summary: 'at most n sentences', params: { n: count() }, test: (r, p) => splitIntoSentences(r).length <= n(p) },
  min_sentences: { summary: 'at least n sentences', params: { n: count() }, test: (r, p) => splitIntoSentences(r).length >= n(p) },
  contains: {
    summary: 'contains text (case-insensitive unless case_sensitive)',
    params: { text, case_sensitive: caseSensitive },
    test: (r, p) => includes(r, str(p, 'text'), p.case_sensitive === true),
  },
  not_contains: {
    summary: 'does not contain text (case-insensitive unless case_sensitive)',
    params: { text, case_sensitive: caseSensitive },
    test: (r, p) => !includes(r, str(p, 'text'), p.case_sensitive === true),
  },
  starts_with: {
    summary: 'starts with text, ignoring case and surrounding whitespace',
    params: { text },
    test: (r, p) => pyStrip(r).toLowerCase().startsWith(pyStrip(str(p, 'text')).toLowerCase()),
  },
  ends_with: {
    // IFEval's end_checker also ignores closing double quotes around the response.
    summary: 'ends with text, ignoring case, surrounding whitespace and double quotes',
    params: { text },
    test: (r, p) => pyStrip(r).replace(/^"+|"+$/g, '').toLowerCase().endsWith(pyStrip(str(p, 'text')).toLowerCase()),
  },
  json: { summary: 'the whole response is valid JSON (a ```json fence is allowed)', params: {}, test: (r) => isJson(r) },
  lowercase: { summary: 'no upper-case letters', params: {}, test: (r) => r === r.toLowerCase() },
  uppercase: { summary: 'no lower-case letters', params: {}, test: (r) => r === r.toUpperCase() },
  no_comma: { summary: 'no commas', params: {}, test: (r) => !r.includes(',') },
  bullet_count: { summary: 'exactly n markdown bullets (* or -)', params: { n: count() }, test: (r, p) => countBullets(r) === n(p) },
  paragraph_count: {
    summary: 'exactly n paragraphs, separated by *** or blank lines',
    params: { n: count(1), separator: { kind: 'enum', values: ['auto', '***', 'blank_line'] } },
    test: (r, p) => countParagraphs(r, (p.separator as 'auto' | '***' | 'blank_line' | undefined) ?? 'auto') === n(p),
  },
  keyword_frequency: {
    summary: 'keyword occurs (whole word, any case) at least / at most / exactly n times',
    params: { keyword: text, n: count(), relation: { kind: 'enum', values: ['at_least', 'at_most', 'exactly'] } },
    test: (r, p) => {
      const k = keywordOccurrences(r, str(p, 'keyword'));
      const relation = (p.relation as string | undefined) ?? 'at_least';
      return relation === 'at_most' ? k <= n(p) : relation === 'exactly' ? k === n(p) : k >= n(p);
    },
  },
  placeholder_count: {
    summary: 'at least n [placeholders] in square brackets',
    params: { n: count(1) },
    test: (r, p) => (r.match(/\[.*?\]/g)?.length ?? 0) >= n(p),
  },
  title: {
    summary: 'has a title in double angular brackets, <<like this>>',
    params: {},
    test: (r) => (r.match(/<<[^\n]+>>/g) ?? []).some((t) => pyStrip(t.replace(/^<+/, '').replace(/>+$/, '')) !== ''),
  },
  quotation: {
    summary: 'the whole response is wrapped in double quotes',
    params: {},
    test: (r) => {
      const v = pyStrip(r);
      return v.length > 1 && v.startsWith('"') && v.endsWith('"');
    },
  },
  language_ascii: {
    summary: 'only ASCII characters',
    params: {},
    // eslint-disable-next-line no-control-regex
    test: (r) => /^[\x00-\x7f]*$/.test(r),
  },
  regex: {
    summary: 'matches a regular expression (screened for catastrophic backtracking)',
    params: { pattern: text, flags: { kind: 'flags' } },
    test: (r, p) => safeRegexTest(str(p, 'pattern'), (p.flags as string | undefined) ?? '', r),
  },
};

export const CHECK_TYPES: readonly string[] = Object.keys(CHECK_DEFINITIONS);
