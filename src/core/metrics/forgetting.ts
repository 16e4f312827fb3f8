// The forgetting probe's summary: general-text perplexity before and after tuning, with paired intervals.
import { bootstrapStatistics, type BootstrapOptions } from './bootstrap';
import { forgettingChange, perplexity, type NllCount } from './perplexity';
import type { ForgettingSummary } from './types';

function checkChunks(chunks: unknown, field: string): NllCount[] {
  if (!Array.isArray(chunks) || chunks.length === 0) throw new Error(`${field}: must be a non-empty array of {nll, tokens}`);
  return chunks.map((c: NllCount, i) => {
    if (typeof c?.nll !== 'number' || !Number.isFinite(c.nll) || c.nll < 0) throw new Error(`${field}[${i}].nll: must be a finite number ≥ 0, got ${JSON.stringify(c?.nll)}`);
    if (!Number.isInteger(c.tokens) || c.tokens < 1) throw new Error(`${field}[${i}].tokens: must be a positive integer, got ${JSON.stringify(c.tokens)}`);
    return c;
  });
}

/** Perplexity of general text before and after tuning, as a change with paired-bootstrap intervals. */
export function forgettingSummary(before: readonly NllCount[], after: readonly NllCount[], bootstrap: BootstrapOptions | false = {}): ForgettingSummary {
  const b = checkChunks(before, 'forgetting.before');
  const a = checkChunks(after, 'forgetting.after');
  if (a.length !== b.length) {
    throw new Error(`forgetting.after: ${a.length} chunks but forgetting.before has ${b.length}; score the same chunks with both models`);
  }
  const result: ForgettingSummary = { ...forgettingChange(perplexity(b), perplexity(a)), ci: {} };
  if (bootstrap === false) return result;
  const pplAt = (chunks: NllCount[], idx: Uint32Array): number => {
    let nll = 0;
    let tokens = 0;
    for (let i = 0; i < idx.length; i++) {
      nll += chunks[idx[i]].nll;
      tokens += chunks[idx[i]].tokens;
    }
    return Math.exp(nll / tokens);
  };
  const [abs, rel] = bootstrapStatistics(b.length, [
    (idx) => pplAt(a, idx) - pplAt(b, idx),
    (idx) => (pplAt(a, idx) - pplAt(b, idx)) / pplAt(b, idx),
  ], bootstrap);
  if (abs) result.ci.absolute_change = abs;
  if (rel) result.ci.relative_change = rel;
  return result;
}

