// Training configuration as plain values, nanoGPT-style: one object, defaults here, overrides from the CLI or the
// extension. The built-in model is sized for 2 CPU cores: steps per minute decide how fast it learns, not size
// (see /work/shared/notes/training-on-this-machine.md).
import type { GptConfig } from './engine/types';

export interface TrainConfig {
  // model (the built-in tiny GPT; a model folder replaces these with its config.json)
  dModel: number;
  nLayers: number;
  nHeads: number;
  contextLength: number;
  // data
  /** Pack several examples per row (attention never crosses them) instead of one padded example per row. */
  packing: boolean;
  /** Rows per micro-batch. */
  batchSize: number;
  /** Micro-batches per optimizer step. */
  gradAccum: number;
  /** Sampling weight per task (`task` or `category` field); tasks not named get weight 1. Empty: proportional to size. */
  taskWeights: Record<string, number>;
  // how long
  /** Optimizer steps; 0 = derive from `epochs` (or from `maxMinutes` after measuring the speed). */
  steps: number;
  epochs: number;
  /** Wall-clock budget; 0 = none. */
  maxMinutes: number;
  // optimizer: AdamW, linear warmup then cosine decay to minLr
  lr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  clipNorm: number;
  // evaluation
  /** Optimizer steps between evaluations; 0 = only at the start and the end. */
  evalEvery: number;
  /** Held-out fraction of the training data when no eval file is given. */
  evalFraction: number;
  /** Eval records whose greedy generation is compared with the expected response; 0 = no exact match. */
  exactMatchSamples: number;
  maxNewTokens: number;
  /** Stop after this many evaluations without a better eval loss; 0 = never. */
  patience: number;
  // bookkeeping
  logEvery: number;
  checkpointEvery: number;
  seed: number;
  /** Compute threads for the engine (0 = all cores). */
  threads: number;
  // DPO (stage dpo; TRL's DPOConfig names in brackets)
  /** Strength of the pull towards the reference model [beta]. */
  dpoBeta: number;
  /** `sigmoid` (the DPO paper) or `ipo` (Azar et al.) [loss_type]. */
  dpoLoss: string;
  /** Assumed fraction of flipped preference labels, conservative DPO; sigmoid loss only [label_smoothing]. */
  dpoLabelSmoothing: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  dModel: 128,
  nLayers: 2,
  nHeads: 4,
  contextLength: 128,
  packing: true,
  batchSize: 16,
  gradAccum: 1,
  taskWeights: {},
  steps: 0,
  epochs: 1,
  maxMinutes: 0,
  lr: 2e-3,
  minLr: 2e-4,
  warmupSteps: 30,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  clipNorm: 1.0,
  evalEvery: 100,
  evalFraction: 0.05,
  exactMatchSamples: 64,
  maxNewTokens: 48,
  patience: 0,
  logEvery: 10,
  checkpointEvery: 200,
  seed: 1337,
  threads: 0,
  dpoBeta: 0.1,
  dpoLoss: 'sigmoid',
  dpoLabelSmoothing: 0,
};

/** Presets named in the UI: `quick` for a first look, `standard` as the defaults. */
export const PRESETS: Record<string, Partial<TrainConfig>> = {
  quick: { steps: 200, evalEvery: 50, exactMatchSamples: 32 },
  standard: {},
};

export class ConfigError extends Error {}

type Overrides = Record<string, number | boolean | string | Record<string, number>>;

/** Applies overrides by name; unknown names and wrong types are errors, never silently ignored. */
export function resolveConfig(overrides: Overrides, base: TrainConfig = DEFAULT_CONFIG): TrainConfig {
  const cfg: TrainConfig = { ...base, taskWeights: { ...base.taskWeights } };
  for (const [key, value] of Object.entries(overrides)) {
    if (!Object.hasOwn(base, key)) throw new ConfigError(`unknown training setting "${key}"`);
    const current = (base as unknown as Record<string, unknown>)[key];
    if (typeof current !== typeof value) throw new ConfigError(`training setting "${key}" must be a ${typeof current}, got ${JSON.stringify(value)}`);
    (cfg as unknown as Record<string, unknown>)[key] = value;
  }
  const positive: Array<keyof TrainConfig> = ['dModel', 'nLayers', 'nHeads', 'contextLength', 'batchSize', 'gradAccum', 'lr', 'maxNewTokens', 'logEvery', 'checkpointEvery'];
  for (const k of positive) if (!((cfg[k] as number) > 0)) throw new ConfigError(`training setting "${k}" must be positive, got ${cfg[k]}`);
  const nonNegative: Array<keyof TrainConfig> = ['steps', 'epochs', 'maxMinutes', 'minLr', 'warmupSteps', 'weightDecay', 'clipNorm', 'evalEvery', 'exactMatchSamples', 'patience', 'threads'];
  for (const k of nonNegative) if (!((cfg[k] as number) >= 0)) throw new ConfigError(`training setting "${k}" must be zero or more, got ${cfg[k]}`);
  const integers: Array<keyof TrainConfig> = ['dModel', 'nLayers', 'nHeads', 'contextLength', 'batchSize', 'gradAccum', 'steps', 'warmupSteps', 'evalEvery', 'exactMatchSamples', 'maxNewTokens', 'patience', 'logEvery', 'checkpointEvery', 'seed', 'threads'];
  for (const k of integers) if (!Number.isInteger(cfg[k])) throw new ConfigError(`training setting "${k}" must be a whole number, got ${cfg[k]}`);
  if (cfg.dModel % cfg.nHeads !== 0) throw new ConfigError(`dModel (${cfg.dModel}) must be divisible by nHeads (${cfg.nHeads})`);
  if (!(cfg.evalFraction >= 0 && cfg.evalFraction < 1)) throw new ConfigError(`evalFraction must be in [0, 1), got ${cfg.evalFraction}`);
  if (cfg.steps === 0 && cfg.epochs === 0 && cfg.maxMinutes === 0) throw new ConfigError('say how long to train: steps, epochs or maxMinutes');
  if (!(cfg.dpoBeta > 0)) throw new ConfigError(`dpoBeta must be positive, got ${cfg.dpoBeta}`);
  if (cfg.dpoLoss !== 'sigmoid' && cfg.dpoLoss !== 'ipo') throw new ConfigError(`dpoLoss must be "sigmoid" or "ipo", got ${JSON.stringify(cfg.dpoLoss)}`);
  if (!(cfg.dpoLabelSmoothing >= 0 && cfg.dpoLabelSmoothing < 0.5)) throw new ConfigError(`dpoLabelSmoothing must be in [0, 0.5), got ${cfg.dpoLabelSmoothing}`);
  if (cfg.dpoLoss === 'ipo' && cfg.dpoLabelSmoothing > 0) throw new ConfigError('dpoLabelSmoothing applies to the sigmoid loss only, not ipo');
  for (const [task, w] of Object.entries(cfg.taskWeights)) if (!(w >= 0)) throw new ConfigError(`task weight for "${task}" must be zero or more, got ${w}`);
  return cfg;
}

export function gptConfigOf(cfg: TrainConfig, vocabSize: number): GptConfig {
  return { vocabSize, contextLength: cfg.contextLength, dModel: cfg.dModel, nLayers: cfg.nLayers, nHeads: cfg.nHeads, dFF: 4 * cfg.dModel, tieEmbeddings: true };
}
