// ROUGE-L F-measure as Google's `rouge_score` computes it, which Super-NaturalInstructions reports.
import { porterStem } from './porterStemmer';

export interface RougeOptions {
  /**
   * Porter-stem tokens longer than three characters, as `RougeScorer(use_stemmer=True)` does (Super-NaturalInstructions'
   * own scorer turns it on; the default here is off, matching `rouge_score`'s default).
   */
  stem?: boolean;
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/**
 * `rouge_score`'s default tokenizer: lower-case, every run of characters outside [a-z0-9] becomes a separator.
 * Non-ASCII letters are therefore dropped, as in the reference.
 */
export function rougeTokenize(text: string, options: RougeOptions = {}): string[] {
  const tokens = text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(/\s+/).filter((t) => t.length > 0);
  return options.stem ? tokens.map((t) => (t.length > 3 ? porterStem(t) : t)) : tokens;
}

/** Length of the longest common subsequence, in O(min(m, n)) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let prev = new Array<number>(short.length + 1).fill(0);
  let cur = new Array<number>(short.length + 1).fill(0);
  for (let i = 1; i <= long.length; i++) {
    for (let j = 1; j <= short.length; j++) {
      cur[j] = long[i - 1] === short[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[short.length];
}

/** ROUGE-L of one prediction against one reference (`rouge_score`'s `_score_lcs`). */
export function rougeLScore(prediction: string, reference: string, options: RougeOptions = {}): RougeScore {
  const pred = rougeTokenize(prediction, options);
  const ref = rougeTokenize(reference, options);
  if (pred.length === 0 || ref.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(ref, pred);
  const precision = lcs / pred.length;
  const recall = lcs / ref.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

/** ROUGE-L F-measure. */
export function rougeL(prediction: string, reference: string, options: RougeOptions = {}): number {
  return rougeLScore(prediction, reference, options).fmeasure;
}
