// Validating and scoring one evaluation record; the aggregates and the generations list are built from these.
import type { BleuStats } from './bleu';
import { runChecks } from './checks/run';
import { validateChecks } from './checks/validate';
import type { ChecksResult } from './checks/types';
import type { NllCount } from './perplexity';
import { referenceList, scoreWithBleuStats } from './score';
import type { EvalRecord, GenerationScores, ScoreOptions } from './types';

export interface RecordScores {
  /** `task`, else `category`, else undefined. */
  task: string | undefined;
  unseen: boolean;
  /** Null without both a prediction and a reference. */
  generation: GenerationScores | null;
  /** Corpus-BLEU statistics, kept so intervals can re-sum them per resample. */
  bleu_stats: BleuStats | null;
  /** Summed NLL and tokens, and their ratio (this record's per-token loss, for sorting generations). */
  loss: (NllCount & { mean: number }) | null;
  /** Null without a prediction or without checks. */
  checks: ChecksResult | null;
}

function optionalString(r: Record<string, unknown>, key: string, at: string): string | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`${at}.${key}: must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** Scores one record; `at` (e.g. `records[3]`) prefixes every error so the field can be found. */
export function scoreRecord(record: EvalRecord, options: ScoreOptions = {}, at = 'record'): RecordScores {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error(`${at}: must be an object`);
  const r = record as unknown as Record<string, unknown>;
  const task = optionalString(r, 'task', at) ?? optionalString(r, 'category', at);
  const prediction = optionalString(r, 'prediction', at);
  if (r.unseen !== undefined && typeof r.unseen !== 'boolean') throw new Error(`${at}.unseen: must be true or false, got ${JSON.stringify(r.unseen)}`);

  let generation: GenerationScores | null = null;
  let stats: BleuStats | null = null;
  if (r.reference !== undefined && r.reference !== null) {
    if (typeof r.reference !== 'string' && !Array.isArray(r.reference)) {
      throw new Error(`${at}.reference: must be a string or an array of strings, got ${JSON.stringify(r.reference)}`);
    }
    const refs = referenceList(r.reference as string | string[], `${at}.reference`);
    // A record scored for loss only has no prediction; that is not an error.
    if (prediction !== undefined) {
      ({ scores: generation, stats } = scoreWithBleuStats(prediction, refs, options));
    }
  }

  let loss: RecordScores['loss'] = null;
  if (r.nll !== undefined || r.tokens !== undefined) {
    if (typeof r.nll !== 'number' || !Number.isFinite(r.nll) || r.nll < 0) {
      throw new Error(`${at}.nll: must be a finite number ≥ 0 (summed NLL of the response tokens), got ${JSON.stringify(r.nll)}`);
    }
    if (typeof r.tokens !== 'number' || !Number.isInteger(r.tokens) || r.tokens < 1) {
      throw new Error(`${at}.tokens: must be a positive integer (response tokens scored), got ${JSON.stringify(r.tokens)}`);
    }
    loss = { nll: r.nll, tokens: r.tokens, mean: r.nll / r.tokens };
  }

  let checks: ChecksResult | null = null;
  if (r.checks !== undefined) {
    const problems = validateChecks(r.checks);
    if (problems.length > 0) throw new Error(problems.map((p) => `${at}.${p.message}`).join('; '));
    if ((r.checks as unknown[]).length > 0) {
      if (prediction === undefined) throw new Error(`${at}.prediction: missing, but the record has checks to verify it against`);
      checks = runChecks(prediction, r.checks);
    }
  }

  return { task, unseen: r.unseen === true, generation, bleu_stats: stats, loss, checks };
}

/** Scores a list of records, naming the list (`records`, `unseen`, `base`…) and the index in any error. */
export function scoreAll(records: unknown, label: string, options: ScoreOptions): RecordScores[] {
  if (!Array.isArray(records)) throw new Error(`${label}: must be an array of records`);
  return records.map((r: EvalRecord, i) => scoreRecord(r, options, `${label}[${i}]`));
}
