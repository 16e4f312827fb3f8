/**
 * Evaluation metrics core: pure TypeScript, no `vscode`, no TensorFlow.
 *
 * Results shape (what `aggregate` returns and `instruct-studio eval --json` prints), JSON-serialisable:
 *
 *   {
 *     n, exact_match, token_f1, rouge_l, bleu, loss, perplexity,          // numbers 0..1 (loss, perplexity unbounded)
 *     ifeval: { prompt_strict, prompt_loose, instruction_strict, instruction_loose },
 *     counts: { generations, loss_records, loss_tokens, ifeval_prompts, ifeval_instructions },
 *     ci: { exact_match: {low, high}, ..., ifeval: { prompt_strict: {low, high}, ... } },
 *     per_task: { [task]: <same summary shape: n … counts, ci> },
 *     seen: <summary> | null, unseen: <summary> | null,
 *     forgetting: { perplexity_before, perplexity_after, absolute_change, relative_change,
 *                   ci: { absolute_change, relative_change } } | null,
 *     bootstrap: { samples, seed, alpha } | null,
 *   }
 *
 * Intervals are a separate `ci` map in each summary, keyed like the values they belong to, so the values stay
 * plain numbers the CLI can print and diff; an interval is absent when its metric is null or intervals are off.
 * A metric is null (never 0) when no record in the group carries what it needs. `bleu` is corpus BLEU-4 on a 0..1
 * scale (sacreBLEU's score / 100); per-record scores from `scoreGeneration` use sentence BLEU.
 *
 * `compareRuns(base, tuned)` (base model vs tuned checkpoint on the same records) has the same layout with each
 * metric as `{base, tuned, delta, ci}`, where `ci` is the paired-bootstrap interval of `delta`.
 */
export { aggregate, type AggregateOptions } from './aggregate';
export { compareRuns, type CompareOptions, type Comparison, type ComparisonSummary, type MetricDelta } from './compare';
export { forgettingSummary } from './forgetting';
export { bootstrapCI, bootstrapStatistics, type BootstrapOptions, type Interval } from './bootstrap';
export { bleuStats, corpusBleu, sentenceBleu, type BleuOptions, type BleuSmoothing } from './bleu';
export { runChecks, validateChecks, CHECK_TYPES, type Check, type CheckProblem, type ChecksResult } from './checks';
export { forgettingChange, meanLoss, perplexity, type ForgettingResult, type NllCount } from './perplexity';
export { scoreAll, scoreRecord, type RecordScores } from './record';
export { rougeL, type RougeOptions } from './rougeL';
export { scoreGeneration } from './score';
export { exactMatch, normalizeAnswer, tokenF1, type NormalizeOptions } from './squad';
export type { EvalRecord, EvalResults, ForgettingSummary, GenerationScores, IfevalSummary, MetricIntervals, MetricSummary, ScoreOptions } from './types';
