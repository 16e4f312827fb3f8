// BLEU-4 as sacreBLEU computes it (13a tokenisation, closest reference length, clipped n-gram counts), on a 0–1 scale
// rather than sacreBLEU's 0–100 so it sits beside the other metrics.
import { tokenize13a } from './tokenizer13a';

export const MAX_NGRAM_ORDER = 4;

export type BleuSmoothing = 'none' | 'exp' | 'floor' | 'add-k';

export interface BleuOptions {
  /** Default `exp` (sacreBLEU's default for both sentence and corpus BLEU). */
  smoothing?: BleuSmoothing;
  /** The floor for `floor` (default 0.1) or k for `add-k` (default 1). */
  smoothValue?: number;
  /** Lower-case before tokenising. Default false, as sacreBLEU. */
  lowercase?: boolean;
}

/** Sufficient statistics of one segment; summing them over segments gives corpus BLEU. */
export interface BleuStats {
  /** Clipped n-gram matches for n = 1..4. */
  matches: number[];
  /** Hypothesis n-gram counts for n = 1..4. */
  totals: number[];
  hypLength: number;
  /** Length of the reference closest in length to the hypothesis (the shorter on ties). */
  refLength: number;
}

/** N-gram counts, one map per order n = 1..4. */
function ngramCounts(tokens: readonly string[]): Array<Map<string, number>> {
  const byOrder = Array.from({ length: MAX_NGRAM_ORDER }, () => new Map<string, number>());
  for (let i = 0; i < tokens.length; i++) {
    // A space cannot occur inside a token (the tokenizer splits on whitespace), so joined keys never collide.
    let key = tokens[i];
    for (let n = 1; n <= MAX_NGRAM_ORDER && i + n <= tokens.length; n++) {
      if (n > 1) key += ' ' + tokens[i + n - 1];
      const counts = byOrder[n - 1];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return byOrder;
}

function tokens(text: string, lowercase: boolean): string[] {
  return tokenize13a(lowercase ? text.toLowerCase() : text);
}

export function bleuStats(hypothesis: string, references: readonly string[], options: Pick<BleuOptions, 'lowercase'> = {}): BleuStats {
  if (references.length === 0) throw new Error('reference: at least one reference is needed for BLEU');
  const lower = options.lowercase ?? false;
  const hyp = tokens(hypothesis, lower);
  const maxRefCounts = Array.from({ length: MAX_NGRAM_ORDER }, () => new Map<string, number>());
  let refLength = -1;
  let closestDiff = -1;
  for (const reference of references) {
    const ref = tokens(reference, lower);
    const diff = Math.abs(hyp.length - ref.length);
    if (closestDiff === -1 || diff < closestDiff || (diff === closestDiff && ref.length < refLength)) {
      closestDiff = diff;
      refLength = ref.length;
    }
    ngramCounts(ref).forEach((counts, o) => {
      for (const [gram, c] of counts) maxRefCounts[o].set(gram, Math.max(maxRefCounts[o].get(gram) ?? 0, c));
    });
  }
  const matches = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  const totals = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  for (let n = 1; n <= MAX_NGRAM_ORDER; n++) totals[n - 1] = Math.max(0, hyp.length - n + 1);
  ngramCounts(hyp).forEach((counts, o) => {
    for (const [gram, c] of counts) matches[o] += Math.min(c, maxRefCounts[o].get(gram) ?? 0);
  });
  return { matches, totals, hypLength: hyp.length, refLength };
}

export function sumBleuStats(all: readonly BleuStats[]): BleuStats {
  const sum: BleuStats = { matches: new Array<number>(MAX_NGRAM_ORDER).fill(0), totals: new Array<number>(MAX_NGRAM_ORDER).fill(0), hypLength: 0, refLength: 0 };
  for (const s of all) addBleuStats(sum, s);
  return sum;
}

/** Adds `s` into `into` in place (the bootstrap sums thousands of resamples and must not allocate per record). */
export function addBleuStats(into: BleuStats, s: BleuStats): void {
  for (let i = 0; i < MAX_NGRAM_ORDER; i++) {
    into.matches[i] += s.matches[i];
    into.totals[i] += s.totals[i];
  }
  into.hypLength += s.hypLength;
  into.refLength += s.refLength;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothing, number> = { none: 0, exp: 0, floor: 0.1, 'add-k': 1 };

/**
 * sacreBLEU's `compute_bleu`. `effectiveOrder` (sentence BLEU) averages only over the orders the hypothesis is long
 * enough to have, so a three-word answer is not scored 0 for lacking 4-grams.
 */
export function bleuFromStats(stats: BleuStats, options: BleuOptions = {}, effectiveOrder = false): number {
  const smoothing = options.smoothing ?? 'exp';
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[smoothing];
  const { hypLength, refLength } = stats;
  const matches = [...stats.matches];
  const totals = [...stats.totals];
  if (hypLength === 0) return 0;
  const brevity = hypLength < refLength ? Math.exp(1 - refLength / hypLength) : 1;
  if (!matches.some((m) => m > 0)) return 0;
  const precisions = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  let order = MAX_NGRAM_ORDER;
  let expDenominator = 1;
  for (let n = 1; n <= MAX_NGRAM_ORDER; n++) {
    if (smoothing === 'add-k' && n > 1) {
      matches[n - 1] += smoothValue;
      totals[n - 1] += smoothValue;
    }
    if (totals[n - 1] === 0) break;
    if (effectiveOrder) order = n;
    if (matches[n - 1] === 0) {
      if (smoothing === 'exp') {
        expDenominator *= 2;
        precisions[n - 1] = 1 / (expDenominator * totals[n - 1]);
      } else if (smoothing === 'floor') {
        precisions[n - 1] = smoothValue / totals[n - 1];
      }
    } else {
      precisions[n - 1] = matches[n - 1] / totals[n - 1];
    }
  }
  let logSum = 0;
  for (let i = 0; i < order; i++) {
    // A zero precision makes BLEU zero, as sacreBLEU's `my_log(0) = -9999999999` does.
    if (precisions[i] <= 0) return 0;
    logSum += Math.log(precisions[i]);
  }
  return brevity * Math.exp(logSum / order);
}

/** Sentence BLEU (sacreBLEU `sentence_bleu`: effective order on, `exp` smoothing by default). */
export function sentenceBleu(hypothesis: string, references: readonly string[], options: BleuOptions = {}): number {
  return bleuFromStats(bleuStats(hypothesis, references, options), options, true);
}

/** Corpus BLEU over aligned hypotheses and reference sets (sacreBLEU `corpus_bleu`). */
export function corpusBleu(hypotheses: readonly string[], references: ReadonlyArray<readonly string[]>, options: BleuOptions = {}): number {
  if (hypotheses.length !== references.length) {
    throw new Error(`references: ${references.length} reference sets for ${hypotheses.length} hypotheses`);
  }
  return bleuFromStats(sumBleuStats(hypotheses.map((h, i) => bleuStats(h, references[i], options))), options, false);
}
