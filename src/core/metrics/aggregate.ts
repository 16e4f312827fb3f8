// The whole evaluation: totals, per-task, seen vs unseen and the forgetting probe, in the shape the CLI prints.
import { bootstrapStatistics, resolveBootstrap, type BootstrapOptions } from './bootstrap';
import { forgettingChange, perplexity, type NllCount } from './perplexity';
import { scoreRecord, type RecordScores } from './record';
import { summarize } from './summarize';
import type { EvalRecord, EvalResults, ForgettingSummary, ScoreOptions } from './types';

export interface AggregateOptions extends ScoreOptions {
  /** Resampling for the intervals (default 1000 samples, seed 0, alpha 0.05), or false for no intervals. */
  bootstrap?: BootstrapOptions | false;
  /** A second evaluation set from unseen tasks; its records count as `unseen: true`. */
  unseen?: readonly EvalRecord[];
  /**
   * The forgetting probe: the same general-text chunks scored by the base model (`before`) and the tuned one
   * (`after`), chunk for chunk, so the interval of the change can resample chunks in pairs.
   */
  forgetting?: { before: readonly NllCount[]; after: readonly NllCount[] };
}

function scoreAll(records: unknown, label: string, options: ScoreOptions): RecordScores[] {
  if (!Array.isArray(records)) throw new Error(`${label}: must be an array of records`);
  return records.map((r: EvalRecord, i) => scoreRecord(r, options, `${label}[${i}]`));
}

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

/** Scores every record and summarises them; throws on the first invalid record, naming it and the field. */
export function aggregate(records: readonly EvalRecord[], options: AggregateOptions = {}): EvalResults {
  const bootstrap = options.bootstrap === false ? false : resolveBootstrap(options.bootstrap);
  const scored = scoreAll(records, 'records', options);
  if (options.unseen !== undefined) {
    for (const r of scoreAll(options.unseen, 'unseen', options)) scored.push({ ...r, unseen: true });
  }
  const summary = (rs: readonly RecordScores[]) => summarize(rs, bootstrap, options.bleu);

  const byTask = new Map<string, RecordScores[]>();
  for (const r of scored) {
    if (r.task === undefined) continue;
    const list = byTask.get(r.task) ?? [];
    list.push(r);
    byTask.set(r.task, list);
  }
  const per_task: EvalResults['per_task'] = {};
  for (const task of [...byTask.keys()].sort()) per_task[task] = summary(byTask.get(task) as RecordScores[]);

  const anyUnseen = scored.some((r) => r.unseen);
  return {
    ...summary(scored),
    per_task,
    seen: anyUnseen ? summary(scored.filter((r) => !r.unseen)) : null,
    unseen: anyUnseen ? summary(scored.filter((r) => r.unseen)) : null,
    forgetting: options.forgetting ? forgettingSummary(options.forgetting.before, options.forgetting.after, bootstrap) : null,
    bootstrap: bootstrap === false ? null : bootstrap,
  };
}
