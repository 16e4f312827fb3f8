// The evaluation report (what `instruct-studio eval --json` prints and RUN/eval/<timestamp>.json holds), one line of
// its generations file, and the evaluation panel's messages. The panel reads files written by another process, so
// the report and every generation line are validated like messages before anything is shown.
import type { Comparison, EvalResults, GenerationScores } from '../../core/metrics';
import { arrayOf, bool, index, isObj, maxLen, nullable, num, oneOf, shape, str, validateMessage, type Check } from './check';

export interface EvalMeta {
  created: string;
  /** The model folder that was evaluated (resolved: a run's best/ or checkpoint/). */
  model: string;
  /** `tiny` (the built-in model's random init with the run's seed) or a model folder; null without a base. */
  base: string | null;
  data: string;
  unseen_data: string | null;
  general: string | null;
  /** The generations file beside the report (a base name), or null when the report was not saved. */
  generations: string | null;
  max_new_tokens: number;
}

/** Tuned vs base on verifiable records: a win is tuned right and base wrong (see src/trainer/evaluation/winRate.ts). */
export interface WinRate {
  n: number;
  wins: number;
  losses: number;
  ties: number;
  /** (wins + ties / 2) / n */
  win_rate: number;
}

/** The core's results for the tuned model, with the base model's and the paired comparison when a base was given. */
export interface EvalReport extends EvalResults {
  base_results: EvalResults | null;
  comparison: Comparison | null;
  /** Tuned vs base on verifiable records (a reference answer or checks); absent without a base or such records. */
  win_rate?: WinRate | null;
  meta: EvalMeta;
}

export interface RecordScoreLine extends GenerationScores {
  /** Mean NLL per response token of this record. */
  loss: number | null;
  /** Every instruction check passed (strict); null without checks. */
  ifeval_strict: boolean | null;
}

/** One line of RUN/eval/<timestamp>.generations.jsonl. */
export interface GenerationLine {
  /** The dataset file and 1-based line the record came from. */
  file: string;
  line: number;
  task: string;
  unseen: boolean;
  prompt: string;
  expected: string;
  /** The base model's generation; null without a base. */
  base: string | null;
  tuned: string;
  scores: { tuned: RecordScoreLine; base: RecordScoreLine | null };
}

const MAX_TEXT = 200_000;
const score = shape({ exact_match: num, token_f1: num, rouge_l: num, bleu: num, loss: nullable(num), ifeval_strict: nullable(bool) });
const generationLine: Check = shape({
  file: maxLen(4096), line: index, task: maxLen(1024), unseen: bool, prompt: maxLen(MAX_TEXT), expected: maxLen(MAX_TEXT),
  base: nullable(maxLen(MAX_TEXT)), tuned: maxLen(MAX_TEXT), scores: shape({ tuned: score, base: nullable(score) }),
});
const metric = nullable(num);
const summary: Check = shape({ n: index, exact_match: metric, token_f1: metric, rouge_l: metric, bleu: metric, loss: metric, perplexity: metric, ci: isObj });
const results: Check = (v) => summary(v) && isObj(v) && isObj(v.per_task) && Object.values(v.per_task).every(summary)
  && nullable(summary)(v.seen) && nullable(summary)(v.unseen) && nullable(isObj)(v.forgetting);
const meta = shape({
  created: str, model: str, base: nullable(str), data: str, unseen_data: nullable(str), general: nullable(str), generations: nullable(str), max_new_tokens: num,
});
const winRate = shape({ n: index, wins: index, losses: index, ties: index, win_rate: num });
const report: Check = (v) => results(v) && isObj(v) && nullable(results)(v.base_results) && nullable(isObj)(v.comparison) && meta(v.meta)
  && (v.win_rate === undefined || nullable(winRate)(v.win_rate));

/** The report read from a file, or why it is not one (the caller names the file). */
export function parseEvalReport(v: unknown): { ok: true; report: EvalReport } | { ok: false; reason: string } {
  if (!isObj(v)) return { ok: false, reason: 'not a JSON object' };
  if (!isObj(v.meta)) return { ok: false, reason: 'no "meta" object: not an evaluation report from `instruct-studio eval`' };
  return report(v) ? { ok: true, report: v as unknown as EvalReport } : { ok: false, reason: 'malformed evaluation report (a metric, per_task, seen/unseen or meta field has the wrong type)' };
}

/** One generations line, or why it is not one. */
export function parseGenerationLine(v: unknown): GenerationLine | null {
  return generationLine(v) ? (v as GenerationLine) : null;
}

// ---- the panel's messages ---------------------------------------------------------------------------------------

/** One evaluation as the panel shows it: its report, generations, and where it came from. */
export interface PanelEvaluation {
  /** The report file, shown as the evaluation's name. */
  path: string;
  label: string;
  report: EvalReport;
  generations: GenerationLine[];
  /** Lines of the generations file that were not valid and were left out. */
  skipped: number;
}

export type HostToEvaluation =
  | { type: 'show'; primary: PanelEvaluation; other: PanelEvaluation | null }
  | { type: 'error'; message: string }
  | { type: 'sent'; file: string; count: number };

export type EvaluationToHost =
  | { type: 'ready' }
  | { type: 'openRecord'; file: string; line: number }
  | { type: 'sendToAnnotator'; indices: number[]; as: 'preference' | 'instruction' }
  | { type: 'pickCompare' }
  | { type: 'clearCompare' };

/** Generations sent to the panel: the worst first, so a cap keeps what matters. */
export const MAX_GENERATIONS = 5000;

const panelEvaluation: Check = (v) => shape({ path: maxLen(4096), label: maxLen(1024), skipped: index })(v)
  && isObj(v) && parseEvalReport(v.report).ok && arrayOf(generationLine, MAX_GENERATIONS)(v.generations);

const toPanel: { [K in HostToEvaluation['type']]: Check } = {
  show: shape({ primary: panelEvaluation, other: nullable(panelEvaluation) }),
  error: shape({ message: maxLen(10_000) }),
  sent: shape({ file: maxLen(4096), count: index }),
};

const toHost: { [K in EvaluationToHost['type']]: Check } = {
  ready: () => true,
  openRecord: shape({ file: maxLen(4096), line: index }),
  sendToAnnotator: shape({ indices: arrayOf(index, MAX_GENERATIONS), as: oneOf('preference', 'instruction') }),
  pickCompare: () => true,
  clearCompare: () => true,
};

export const validateHostToEvaluation = (v: unknown) => validateMessage<HostToEvaluation>(toPanel, v);
export const validateEvaluationToHost = (v: unknown) => validateMessage<EvaluationToHost>(toHost, v);

export type SortKey = 'token_f1' | 'rouge_l' | 'exact_match' | 'bleu' | 'loss' | 'delta' | 'line';

/** What the webview keeps across reloads (getState) and what the serializer reopens. */
export interface EvaluationViewState {
  report: string;
  compare: string | null;
  sort: SortKey;
  filter: string;
}

export function isEvaluationViewState(v: unknown): v is EvaluationViewState {
  return shape({
    report: maxLen(4096), compare: nullable(maxLen(4096)),
    sort: oneOf('token_f1', 'rouge_l', 'exact_match', 'bleu', 'loss', 'delta', 'line'), filter: maxLen(1024),
  })(v);
}
