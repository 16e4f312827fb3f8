// Self-Instruct's filters over a model's proposals: structure, degenerate text, length limits, the dataset
// validator, and ROUGE-L near-duplicates of the seeds and of what was already kept. Each proposal is dropped for
// the first reason that applies (counted), or kept; kept instructions join the pool later proposals are compared to.
import { validateText, type Problem } from '../dataset';
import { lcsLength, rougeTokenize } from '../metrics/rougeL';
import { DEFAULT_SYNTH_FILTER, DROP_REASONS, type DropReason, type SynthFilterOptions, type SynthTask } from './types';

export type Verdict =
  | { kept: true }
  | { kept: false; reason: DropReason; detail: string };

export class SynthFilter {
  readonly options: SynthFilterOptions;
  readonly dropped: Record<DropReason, number>;
  /** Validator problem codes behind `invalid` drops, counted. */
  readonly invalidCodes: Record<string, number> = {};
  kept = 0;
  // Tokenised once: every proposal is compared with every seed and every kept instruction.
  private readonly seeds: string[][];
  private readonly generated: string[][] = [];

  constructor(seedInstructions: readonly string[], options: Partial<SynthFilterOptions> = {}) {
    this.options = { ...DEFAULT_SYNTH_FILTER, ...options };
    this.dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
    this.seeds = seedInstructions.map((s) => rougeTokenize(s));
  }

  /** Judges one proposal and counts it; a kept one becomes a reference for the near-duplicate filter. */
  consider(task: SynthTask): Verdict {
    const v = this.judge(task);
    if (v.kept) {
      this.kept++;
      this.generated.push(rougeTokenize(task.instruction));
    } else this.dropped[v.reason]++;
    return v;
  }

  private judge(t: SynthTask): Verdict {
    const o = this.options;
    const drop = (reason: DropReason, detail: string): Verdict => ({ kept: false, reason, detail });
    if (!t.instruction && !t.output) return drop('empty', 'no instruction and no response');
    if (!t.output) return drop('instruction-only', 'no response');
    if (!t.instruction) return drop('response-only', 'no instruction');
    const degenerate = degenerateText(t.instruction, 'instruction') ?? degenerateText(t.output, 'response');
    if (degenerate) return drop('degenerate', degenerate);
    if (t.output.trim() === t.instruction.trim()) return drop('degenerate', 'the response repeats the instruction');
    const words = t.instruction.split(/\s+/).filter(Boolean).length;
    if (words < o.minInstructionWords) return drop('too-short', `instruction of ${words} word${words === 1 ? '' : 's'} (fewer than ${o.minInstructionWords})`);
    if (words > o.maxInstructionWords) return drop('too-long', `instruction of ${words} words (more than ${o.maxInstructionWords})`);
    if (t.output.length > o.maxOutputChars) return drop('too-long', `response of ${t.output.length} characters (more than ${o.maxOutputChars})`);
    const problems = validatorProblems(t, o.maxTokens);
    if (problems.length) {
      for (const p of problems) this.invalidCodes[p.code] = (this.invalidCodes[p.code] ?? 0) + 1;
      return drop(problems.some((p) => p.code === 'too-long') ? 'too-long' : 'invalid', problems.map((p) => `${p.code}: ${p.message}`).join('; '));
    }
    const tokens = rougeTokenize(t.instruction);
    const seed = maxRouge(tokens, this.seeds);
    if (seed.score > o.maxRougeL) return drop('near-duplicate-seed', `ROUGE-L ${seed.score.toFixed(2)} with seed ${seed.index + 1}`);
    const gen = maxRouge(tokens, this.generated);
    if (gen.score > o.maxRougeL) return drop('near-duplicate-generated', `ROUGE-L ${gen.score.toFixed(2)} with kept proposal ${gen.index + 1}`);
    return { kept: true };
  }
}

/** The record a kept task is written as. */
export function taskRecord(t: SynthTask): Record<string, unknown> {
  return { instruction: t.instruction, input: t.input, output: t.output };
}

/** Problems the dataset validator finds in the task as an alpaca record (errors and warnings alike: new data should be clean). */
function validatorProblems(t: SynthTask, maxTokens: number): Problem[] {
  return validateText(JSON.stringify(taskRecord(t)) + '\n', { format: 'alpaca', maxTokens, nearDuplicates: false }).problems;
}

/**
 * Text a model falls into when it has nothing to say: no letter or digit at the start (Self-Instruct drops
 * instructions starting with punctuation), or one token repeated over and over.
 */
export function degenerateText(text: string, what: string): string | null {
  if (!/^[\p{L}\p{N}"'(¿¡]/u.test(text)) return `the ${what} does not start with a letter or digit`;
  const tokens = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length >= 6 && new Set(tokens).size / tokens.length < 0.3) return `the ${what} repeats the same words`;
  const chars = text.replace(/\s+/g, '');
  if (chars.length >= 12 && new Set(chars).size <= 2) return `the ${what} repeats one or two characters`;
  return null;
}

/** ROUGE-L F of pre-tokenised text (the same computation as metrics/rougeL, without re-tokenising the pool). */
function maxRouge(tokens: readonly string[], pool: readonly string[][]): { score: number; index: number } {
  let best = { score: 0, index: -1 };
  for (let i = 0; i < pool.length; i++) {
    const s = rougeLTokens(tokens, pool[i]);
    if (s > best.score) best = { score: s, index: i };
  }
  return best;
}

/** ROUGE-L F-measure of two token lists (rouge_score's `_score_lcs`). */
export function rougeLTokens(pred: readonly string[], ref: readonly string[]): number {
  if (!pred.length || !ref.length) return 0;
  const lcs = lcsLength(ref, pred);
  if (lcs === 0) return 0;
  const p = lcs / pred.length;
  const r = lcs / ref.length;
  return (2 * p * r) / (p + r);
}
