// Did tuning help? The base model and the tuned checkpoint scored on the same records, with paired-bootstrap
// intervals of each difference: both runs are resampled on the same records, which is far tighter than comparing
// two independent intervals.
import { bootstrapStatistics, resolveBootstrap, type BootstrapOptions, type Interval, type ResolvedBootstrap } from './bootstrap';
import { recordSubsets } from './subsets';
import { metricGroups, type MetricKey } from './metricGroups';
import { scoreAll, type RecordScores } from './record';
import type { EvalRecord, IfevalSummary, ScoreOptions } from './types';

export interface MetricDelta {
  base: number;
  tuned: number;
  /** tuned − base (for loss and perplexity, negative is better). */
  delta: number;
  /** Paired-bootstrap interval of the delta; absent when intervals are off. */
  ci?: Interval;
}

export interface ComparisonSummary {
  n: number;
  exact_match: MetricDelta | null;
  token_f1: MetricDelta | null;
  rouge_l: MetricDelta | null;
  bleu: MetricDelta | null;
  loss: MetricDelta | null;
  perplexity: MetricDelta | null;
  ifeval: Record<keyof IfevalSummary, MetricDelta> | null;
}

export interface Comparison extends ComparisonSummary {
  per_task: Record<string, ComparisonSummary>;
  seen: ComparisonSummary | null;
  unseen: ComparisonSummary | null;
  bootstrap: ResolvedBootstrap | null;
}

export interface CompareOptions extends ScoreOptions {
  bootstrap?: BootstrapOptions | false;
}

const has = {
  generation: (r: RecordScores) => r.generation !== null,
  loss: (r: RecordScores) => r.loss !== null,
  checks: (r: RecordScores) => r.checks !== null,
};
const what = { generation: 'prediction and reference', loss: 'nll and tokens', checks: 'prediction and checks' };

/** Record i of both runs must be the same example, carrying the same kinds of data. */
function checkPaired(base: readonly RecordScores[], tuned: readonly RecordScores[], baseRaw: readonly EvalRecord[], tunedRaw: readonly EvalRecord[]): void {
  if (base.length !== tuned.length) throw new Error(`tuned: ${tuned.length} records but base has ${base.length}; score the same records with both models`);
  base.forEach((b, i) => {
    const t = tuned[i];
    const [bid, tid] = [baseRaw[i].id, tunedRaw[i].id];
    if (bid !== undefined && tid !== undefined && bid !== tid) throw new Error(`tuned[${i}].id: ${JSON.stringify(tid)} but base[${i}].id is ${JSON.stringify(bid)}; records must be in the same order`);
    if (b.task !== t.task) throw new Error(`tuned[${i}].task: ${JSON.stringify(t.task)} but base[${i}] has ${JSON.stringify(b.task)}`);
    if (b.unseen !== t.unseen) throw new Error(`tuned[${i}].unseen: ${t.unseen} but base[${i}].unseen is ${b.unseen}`);
    for (const kind of ['generation', 'loss', 'checks'] as const) {
      if (has[kind](b) !== has[kind](t)) {
        throw new Error(`tuned[${i}]: ${has[kind](t) ? 'has' : 'lacks'} ${what[kind]} but base[${i}] ${has[kind](b) ? 'has' : 'lacks'} them`);
      }
    }
  });
}

function setPath(target: Record<string, unknown>, path: MetricKey, value: MetricDelta): void {
  const [head, tail] = path.split('.');
  if (tail === undefined) target[head] = value;
  else target[head] = { ...((target[head] as object | undefined) ?? {}), [tail]: value };
}

function compareSubset(base: readonly RecordScores[], tuned: readonly RecordScores[], bootstrap: ResolvedBootstrap | false, options: ScoreOptions): ComparisonSummary {
  const out: Record<string, unknown> = { n: base.length, exact_match: null, token_f1: null, rouge_l: null, bleu: null, loss: null, perplexity: null, ifeval: null };
  const tunedGroups = metricGroups(tuned, options.bleu);
  // Pairing guarantees both runs have the same groups over the same records, in the same order.
  metricGroups(base, options.bleu).forEach((bg, g) => {
    const tg = tunedGroups[g];
    const deltas = bg.metrics.map((bm, k) => (idx: Uint32Array) => tg.metrics[k].stat(idx) - bm.stat(idx));
    const intervals = bootstrap === false ? deltas.map(() => null) : bootstrapStatistics(bg.records.length, deltas, bootstrap);
    bg.metrics.forEach((bm, k) => {
      const tuned = tg.metrics[k].value;
      const d: MetricDelta = { base: bm.value, tuned, delta: tuned - bm.value };
      const interval = intervals[k];
      if (interval) d.ci = interval;
      setPath(out, bm.key, d);
    });
  });
  return out as unknown as ComparisonSummary;
}

/** Scores both runs on the same records (aligned by position) and reports each metric's change. */
export function compareRuns(base: readonly EvalRecord[], tuned: readonly EvalRecord[], options: CompareOptions = {}): Comparison {
  const bootstrap = options.bootstrap === false ? false : resolveBootstrap(options.bootstrap);
  const b = scoreAll(base, 'base', options);
  const t = scoreAll(tuned, 'tuned', options);
  checkPaired(b, t, base, tuned);
  const subset = (indices: readonly number[]): ComparisonSummary => compareSubset(indices.map((i) => b[i]), indices.map((i) => t[i]), bootstrap, options);
  const subsets = recordSubsets(b);
  const per_task: Comparison['per_task'] = {};
  for (const [task, indices] of subsets.perTask) per_task[task] = subset(indices);
  return {
    ...compareSubset(b, t, bootstrap, options),
    per_task,
    seen: subsets.seen && subset(subsets.seen),
    unseen: subsets.unseen && subset(subsets.unseen),
    bootstrap: bootstrap === false ? null : bootstrap,
  };
}
