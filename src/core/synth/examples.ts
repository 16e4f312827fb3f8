// Which seed tasks show the model what to write: a few distinct seeds per prompt, drawn with the run's seeded
// generator (Self-Instruct samples its in-context tasks at random, so prompts differ and so do the proposals).
import { buildSynthPrompt } from './prompt';
import type { SeedTask } from './types';

/** `k` distinct seeds (all when there are fewer), in drawn order; `random` is a seeded [0, 1) source. */
export function pickExamples<T extends SeedTask>(seeds: readonly T[], k: number, random: () => number): T[] {
  const pool = [...seeds];
  const n = Math.min(k, pool.length);
  // Partial Fisher–Yates: the first n positions become a uniform sample without replacement.
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}

/**
 * The most examples (dropping from the front) whose prompt fits `budget` tokens, so the model sees whole tasks and
 * still has room to write; one example at least, even when it alone is over budget (generation then keeps the
 * newest tokens of the window).
 */
export function fitExamples<T extends SeedTask>(examples: readonly T[], countTokens: (text: string) => number, budget: number): T[] {
  for (let start = 0; start < examples.length - 1; start++) {
    if (countTokens(buildSynthPrompt(examples.slice(start))) <= budget) return examples.slice(start);
  }
  return examples.slice(-1);
}
