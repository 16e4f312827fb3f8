// Per-record scoring: what the panels sort generations by and what the aggregates average.
import { bleuFromStats, bleuStats, type BleuStats } from './bleu';
import { rougeL } from './rougeL';
import { exactMatch, maxOverReferences, tokenF1 } from './squad';
import type { GenerationScores, ScoreOptions } from './types';

export function referenceList(reference: string | readonly string[], field = 'reference'): string[] {
  const refs = typeof reference === 'string' ? [reference] : [...reference];
  if (refs.length === 0) throw new Error(`${field}: at least one reference is needed`);
  refs.forEach((r, i) => {
    if (typeof r !== 'string') throw new Error(`${field}[${i}]: must be a string, got ${JSON.stringify(r)}`);
  });
  return refs;
}

/** Exact match, token F1, ROUGE-L and sentence BLEU of one prediction against one or more references. */
export function scoreGeneration(prediction: string, reference: string | readonly string[], options: ScoreOptions = {}): GenerationScores {
  return scoreWithBleuStats(prediction, reference, options).scores;
}

/** The scores and the BLEU statistics behind them, which corpus BLEU and its intervals re-sum. */
export function scoreWithBleuStats(prediction: string, reference: string | readonly string[], options: ScoreOptions = {}): { scores: GenerationScores; stats: BleuStats } {
  if (typeof prediction !== 'string') throw new Error(`prediction: must be a string, got ${JSON.stringify(prediction)}`);
  const refs = referenceList(reference);
  const stats = bleuStats(prediction, refs, options.bleu);
  return {
    scores: {
      exact_match: maxOverReferences((p, r) => exactMatch(p, r, options.normalize), prediction, refs),
      token_f1: maxOverReferences(tokenF1, prediction, refs),
      rouge_l: maxOverReferences((p, r) => rougeL(p, r, options.rouge), prediction, refs),
      // Sentence BLEU: effective order on, as sacreBLEU's sentence_bleu.
      bleu: bleuFromStats(stats, options.bleu, true),
    },
    stats,
  };
}
