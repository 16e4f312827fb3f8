// The vocabulary shared by the metrics core, the trainer's evaluation runner, the CLI's `eval` and the panels.
import type { BleuOptions } from './bleu';
import type { Interval, ResolvedBootstrap } from './bootstrap';
import type { Check } from './checks/types';
import type { ForgettingResult } from './perplexity';
import type { RougeOptions } from './rougeL';
import type { NormalizeOptions } from './squad';

/** One evaluated example. Every part is optional; a metric is computed over the records that carry what it needs. */
export interface EvalRecord {
  id?: string | number;
  /** Groups records for `per_task` (`task` wins over `category` when both are given). */
  task?: string;
  category?: string;
  /** From a task or instruction never seen in training (generalization split). */
  unseen?: boolean;
  /** The model's generated response. */
  prediction?: string;
  /** The expected response, or several acceptable ones (scores take the best). */
  reference?: string | readonly string[];
  /** Summed negative log-likelihood (nats) of the reference response's tokens only, and how many tokens. */
  nll?: number;
  tokens?: number;
  /** Instruction-following constraints the prediction is verified against. */
  checks?: readonly Check[];
}

export interface ScoreOptions {
  /** Normalisation for exact match; default all on (SQuAD). Token F1 always uses SQuAD's full normalisation. */
  normalize?: NormalizeOptions;
  rouge?: RougeOptions;
  /** Smoothing applies to per-record sentence BLEU; the aggregate is corpus BLEU. */
  bleu?: BleuOptions;
}

/** Scores of one prediction, each the best over the references (BLEU uses all references at once). 0..1. */
export interface GenerationScores {
  exact_match: number;
  token_f1: number;
  rouge_l: number;
  bleu: number;
}

export interface IfevalSummary {
  prompt_strict: number;
  prompt_loose: number;
  instruction_strict: number;
  instruction_loose: number;
}

/** Intervals for the metrics of one summary, keyed like the summary itself. */
export interface MetricIntervals {
  exact_match?: Interval;
  token_f1?: Interval;
  rouge_l?: Interval;
  bleu?: Interval;
  loss?: Interval;
  perplexity?: Interval;
  ifeval?: Partial<Record<keyof IfevalSummary, Interval>>;
}

/** How many records each metric was computed over. */
export interface MetricCounts {
  /** Records with both a prediction and a reference. */
  generations: number;
  /** Records with `nll` and `tokens`. */
  loss_records: number;
  loss_tokens: number;
  /** Records with a prediction and at least one check, and the checks among them. */
  ifeval_prompts: number;
  ifeval_instructions: number;
}

/** Metrics of one group of records; a metric is null when no record in the group carries what it needs. */
export interface MetricSummary {
  n: number;
  exact_match: number | null;
  token_f1: number | null;
  rouge_l: number | null;
  /** Corpus BLEU-4 (sacreBLEU), 0..1. */
  bleu: number | null;
  /** Token-weighted mean NLL per response token. */
  loss: number | null;
  /** exp(loss). */
  perplexity: number | null;
  ifeval: IfevalSummary | null;
  counts: MetricCounts;
  /** Percentile-bootstrap intervals; empty when intervals were turned off. */
  ci: MetricIntervals;
}

export interface ForgettingSummary extends ForgettingResult {
  ci: { absolute_change?: Interval; relative_change?: Interval };
}

export interface EvalResults extends MetricSummary {
  /** One summary per `task` (or `category`); records with neither are in the totals only. */
  per_task: Record<string, MetricSummary>;
  /** Null unless some records are unseen. */
  seen: MetricSummary | null;
  unseen: MetricSummary | null;
  forgetting: ForgettingSummary | null;
  /** The resampling settings the intervals came from, or null when intervals were off. */
  bootstrap: ResolvedBootstrap | null;
}
