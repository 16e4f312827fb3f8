// Exact match and token F1 as the official SQuAD v1.1 evaluation script computes them.
import { PY_PUNCTUATION, PY_WORD_CHAR, pySplit } from './pythonText';

/** Which normalisations exact match applies; all on is SQuAD's `normalize_answer`. */
export interface NormalizeOptions {
  /** Compare case-insensitively. Default true. */
  case?: boolean;
  /** Collapse and trim whitespace. Default true. */
  whitespace?: boolean;
  /** Drop ASCII punctuation (Python's `string.punctuation`). Default true. */
  punctuation?: boolean;
  /** Drop the English articles a/an/the as whole words. Default true. */
  articles?: boolean;
}

const ARTICLES = new RegExp(`(?<!${PY_WORD_CHAR})(?:a|an|the)(?!${PY_WORD_CHAR})`, 'gu');

/** SQuAD's `normalize_answer`, with each step switchable; the step order (lower, punctuation, articles, spaces) matters. */
export function normalizeAnswer(text: string, options: NormalizeOptions = {}): string {
  let s = text;
  if (options.case ?? true) s = s.toLowerCase();
  if (options.punctuation ?? true) s = Array.from(s).filter((ch) => !PY_PUNCTUATION.has(ch)).join('');
  // Articles are matched after lower-casing, exactly as SQuAD does; with case kept, only lower-case articles go.
  if (options.articles ?? true) s = s.replace(ARTICLES, ' ');
  if (options.whitespace ?? true) s = pySplit(s).join(' ');
  return s;
}

/** 1 when the normalised strings are equal, else 0. */
export function exactMatch(prediction: string, reference: string, options: NormalizeOptions = {}): number {
  return normalizeAnswer(prediction, options) === normalizeAnswer(reference, options) ? 1 : 0;
}

/** SQuAD token F1: bag-of-tokens overlap after full normalisation. */
export function tokenF1(prediction: string, reference: string): number {
  const predTokens = pySplit(normalizeAnswer(prediction));
  const refTokens = pySplit(normalizeAnswer(reference));
  const refCounts = new Map<string, number>();
  for (const t of refTokens) refCounts.set(t, (refCounts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of predTokens) {
    const left = refCounts.get(t) ?? 0;
    if (left > 0) {
      same += 1;
      refCounts.set(t, left - 1);
    }
  }
  // SQuAD returns 0 here even when both sides normalise to nothing.
  if (same === 0) return 0;
  const precision = same / predTokens.length;
  const recall = same / refTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/** SQuAD's `metric_max_over_ground_truths`. */
export function maxOverReferences(metric: (prediction: string, reference: string) => number, prediction: string, references: readonly string[]): number {
  if (references.length === 0) throw new Error('reference: at least one reference is needed');
  return Math.max(...references.map((r) => metric(prediction, r)));
}
