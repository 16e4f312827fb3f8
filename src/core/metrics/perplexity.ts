// Loss and perplexity over response tokens only, and the forgetting probe built on them.

/** Summed negative log-likelihood (nats) of a text's scored tokens and how many tokens were scored. */
export interface NllCount {
  nll: number;
  tokens: number;
}

/** Token-weighted mean NLL: the sum of NLLs over the sum of tokens, so long responses count per token. */
export function meanLoss(parts: readonly NllCount[]): number {
  let nll = 0;
  let tokens = 0;
  for (const p of parts) {
    nll += p.nll;
    tokens += p.tokens;
  }
  if (tokens <= 0) throw new Error('tokens: no scored tokens, so loss is undefined');
  return nll / tokens;
}

/** Perplexity = exp(mean NLL per token). */
export function perplexity(parts: readonly NllCount[]): number {
  return Math.exp(meanLoss(parts));
}

/** How perplexity on general text moved from the base model to the tuned one; positive means worse (forgetting). */
export interface ForgettingResult {
  perplexity_before: number;
  perplexity_after: number;
  /** after − before. */
  absolute_change: number;
  /** (after − before) / before. */
  relative_change: number;
}

export function forgettingChange(perplexityBefore: number, perplexityAfter: number): ForgettingResult {
  for (const [field, v] of [['perplexity_before', perplexityBefore], ['perplexity_after', perplexityAfter]] as const) {
    if (!Number.isFinite(v) || v < 1) throw new Error(`${field}: a perplexity is a finite number ≥ 1, got ${v}`);
  }
  return {
    perplexity_before: perplexityBefore,
    perplexity_after: perplexityAfter,
    absolute_change: perplexityAfter - perplexityBefore,
    relative_change: (perplexityAfter - perplexityBefore) / perplexityBefore,
  };
}
