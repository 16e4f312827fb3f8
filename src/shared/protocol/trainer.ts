// The trainer child's IPC: one union narrowed on `type`, validated on receipt on both sides, because a message
// crosses a process boundary and a malformed one must become a clear error, never a crash of the editor.
import { bool, oneOf, optional, parseFields, record, shape, str, type Check } from './check';

export { ProtocolError } from './check';

/** What the parent asks the child to train. Paths are absolute. */
export interface TrainRequest {
  data: string;
  /** An eval split file; without it `evalFraction` of the training data is held out. */
  eval?: string;
  evalFraction?: number;
  out: string;
  /** `tiny` (the built-in model, random init) or a model / checkpoint / run folder. */
  model: string;
  /** Resume from `out/checkpoint` when it exists (the CLI decides; the child refuses to overwrite otherwise). */
  resume: boolean;
  skipInvalid: boolean;
  includeRejected: boolean;
  /** A template reference (preset name, or an absolute path to a .jinja, tokenizer_config.json[#name] or model
   * folder); without it the default rendering, or the resumed run's / base model's saved template. */
  template?: string;
  /** Plain config values overriding the preset (see src/trainer/config.ts). */
  overrides: Record<string, number | boolean | string | Record<string, number>>;
  /** What is trained: supervised fine-tuning (absent = sft), DPO on preference pairs, or pretraining on raw text. */
  stage?: TrainStage;
}

export type TrainStage = 'sft' | 'dpo' | 'pretrain';
export const TRAIN_STAGES: readonly TrainStage[] = ['sft', 'dpo', 'pretrain'];

/** DPO's per-step statistics, named as TRL logs them (means over the step's pairs; rewards are β·(policy − reference) log-probs). */
export interface DpoMetrics {
  'rewards/chosen'?: number;
  'rewards/rejected'?: number;
  /** Fraction of pairs whose chosen reward exceeds the rejected one. */
  'rewards/accuracies'?: number;
  'rewards/margins'?: number;
  /** Summed log-probability of the chosen / rejected response under the policy. */
  'logps/chosen'?: number;
  'logps/rejected'?: number;
}

export const DPO_METRICS = ['rewards/chosen', 'rewards/rejected', 'rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected'] as const;

/** `loss` is the DPO loss in a DPO run, which also fills the DpoMetrics fields. */
export interface MetricsRow extends DpoMetrics {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens_per_second: number;
  elapsed_s: number;
  /** Loss per trained token of each task in the logged step, when records carry `task`/`category`. */
  per_task?: Record<string, number>;
}

export interface TaskScore {
  n: number;
  exact_match: number;
  loss: number;
}

export interface EvalRow {
  split: 'eval';
  step: number;
  epoch: number;
  elapsed_s: number;
  loss: number;
  /** Over the exact-match sample; null when no sample was generated. */
  exact_match: number | null;
  per_task?: Record<string, TaskScore>;
  /** Records marked `unseen: true` (paraphrased instructions) against the rest. */
  seen?: TaskScore;
  unseen?: TaskScore;
  /** DPO runs (where `loss` is the eval DPO loss): fraction of held-out pairs ranked right by the implicit reward. */
  reward_accuracy?: number;
  /** DPO runs: mean chosen − rejected reward over the held-out pairs. */
  reward_margin?: number;
}

export interface GenerationSample {
  task: string;
  prompt: string;
  expected: string;
  output: string;
  unseen: boolean;
}

export type RunStatus = 'running' | 'finished' | 'stopped' | 'failed';

export type ParentToChild =
  | { type: 'start'; request: TrainRequest }
  | { type: 'cancel' };

export type ChildToParent =
  | { type: 'progress'; step: number; totalSteps: number; loss: number; tokensPerSecond: number; etaSeconds: number | null; elapsedSeconds: number }
  | { type: 'metrics'; row: MetricsRow }
  | { type: 'eval'; row: EvalRow; samples: GenerationSample[] }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'done'; status: 'finished' | 'stopped'; step: number; outDir: string; bestEvalLoss: number | null; reason: string }
  /** `data`: the dataset has errors; `usage`: the request cannot be honoured (run folder taken, bad setting); `failed`: training broke. */
  | { type: 'error'; message: string; code: 'data' | 'usage' | 'failed' };

export type TrainerMessage = ParentToChild | ChildToParent;


// Numbers here may be infinite (an ETA before the first step), never NaN.
const num: Check = (v) => typeof v === 'number' && !Number.isNaN(v);
const finiteOrNull: Check = (v) => v === null || num(v);

const taskScore = shape({ n: num, exact_match: num, loss: num });
const overrideValue: Check = (v) => num(v) || bool(v) || str(v) || record(num)(v);

const parentFields: Record<ParentToChild['type'], Record<string, Check>> = {
  start: {
    request: shape({
      data: str, eval: optional(str), evalFraction: optional(num), out: str, model: str,
      resume: bool, skipInvalid: bool, includeRejected: bool, overrides: record(overrideValue), template: optional(str),
      stage: optional(oneOf(...TRAIN_STAGES)),
    }),
  },
  cancel: {},
};

const childFields: Record<ChildToParent['type'], Record<string, Check>> = {
  progress: { step: num, totalSteps: num, loss: num, tokensPerSecond: num, etaSeconds: finiteOrNull, elapsedSeconds: num },
  metrics: {
    row: shape({
      step: num, epoch: num, loss: num, lr: num, grad_norm: num, tokens_per_second: num, elapsed_s: num, per_task: optional(record(num)),
      ...Object.fromEntries(DPO_METRICS.map((k) => [k, optional(num)])),
    }),
  },
  eval: {
    row: shape({
      split: oneOf('eval'), step: num, epoch: num, elapsed_s: num, loss: num, exact_match: finiteOrNull,
      per_task: optional(record(taskScore)), seen: optional(taskScore), unseen: optional(taskScore),
      reward_accuracy: optional(num), reward_margin: optional(num),
    }),
    samples: (v) => Array.isArray(v) && v.every(shape({ task: str, prompt: str, expected: str, output: str, unseen: bool })),
  },
  log: { level: oneOf('info', 'warn'), message: str },
  done: { status: oneOf('finished', 'stopped'), step: num, outDir: str, bestEvalLoss: finiteOrNull, reason: str },
  error: { message: str, code: oneOf('data', 'usage', 'failed') },
};

/** Validates a message the child received from the parent. */
export function parseParentMessage(raw: unknown): ParentToChild {
  return parseFields<ParentToChild>(raw, parentFields, 'message to trainer');
}

/** Validates a message the parent received from the child. */
export function parseChildMessage(raw: unknown): ChildToParent {
  return parseFields<ChildToParent>(raw, childFields, 'message from trainer');
}
