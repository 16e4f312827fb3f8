// The vocabulary of Self-Instruct style synthesis: a seed task, a model's proposal, and why a proposal was dropped.

/** One task as the few-shot prompt shows it and as a proposal is read back: the alpaca fields. */
export interface SynthTask {
  instruction: string;
  /** '' when the task has no input. */
  input: string;
  output: string;
}

/** A seed record turned into a task, with the line it came from (provenance of what it prompts). */
export interface SeedTask extends SynthTask {
  line: number;
}

/**
 * Why a proposal was not kept. Every proposal ends in exactly one reason (the first filter that rejects it, in this
 * order) or is kept, so kept + Σ dropped = proposals.
 */
export type DropReason =
  | 'empty'
  | 'instruction-only'
  | 'response-only'
  | 'degenerate'
  | 'too-short'
  | 'too-long'
  | 'invalid'
  | 'near-duplicate-seed'
  | 'near-duplicate-generated';

export const DROP_REASONS: readonly DropReason[] = [
  'empty', 'instruction-only', 'response-only', 'degenerate', 'too-short', 'too-long', 'invalid',
  'near-duplicate-seed', 'near-duplicate-generated',
];

export interface SynthFilterOptions {
  /** Drop a proposal whose instruction has ROUGE-L F above this against a seed's or a kept one's (Self-Instruct: 0.7). */
  maxRougeL: number;
  /** Instructions with fewer words are dropped (Self-Instruct drops ≤ 3 words; short imperative tasks are common here). */
  minInstructionWords: number;
  /** Instructions with more words are dropped (Self-Instruct: 150). */
  maxInstructionWords: number;
  /** Responses longer than this many characters are dropped. */
  maxOutputChars: number;
  /** Token budget of the whole record for the validator's `too-long` (the model's context length in the driver). */
  maxTokens: number;
}

export const DEFAULT_SYNTH_FILTER: SynthFilterOptions = {
  maxRougeL: 0.7,
  minInstructionWords: 3,
  maxInstructionWords: 150,
  maxOutputChars: 2000,
  maxTokens: 2048,
};
