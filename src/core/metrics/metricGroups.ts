// Every aggregate metric as a point value plus a statistic over resampled records. Metrics are grouped by the records
// that carry them (generations, losses, checked prompts); a group's metrics share resamples, and a base-vs-tuned
// comparison evaluates both runs' statistics on the same resampled indices.
import { bleuFromStats, MAX_NGRAM_ORDER, sumBleuStats, type BleuOptions, type BleuStats } from './bleu';
import { meanAt } from './bootstrap';
import type { RecordScores } from './record';

export type Stat = (indices: Uint32Array) => number;

export type MetricKey =
  | 'exact_match' | 'token_f1' | 'rouge_l' | 'bleu' | 'loss' | 'perplexity'
  | 'ifeval.prompt_strict' | 'ifeval.prompt_loose' | 'ifeval.instruction_strict' | 'ifeval.instruction_loose';

export interface Metric {
  key: MetricKey;
  value: number;
  /** The metric recomputed on a resample of the group's records (indices into `records`). */
  stat: Stat;
}

export type GroupKind = 'generation' | 'loss' | 'ifeval';

export interface MetricGroup {
  kind: GroupKind;
  /** Positions, in the scored records, of the records this group is computed over. */
  records: number[];
  metrics: Metric[];
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Σnum / Σden over the resampled items; NaN when the resample has no denominator. */
function ratioAt(num: readonly number[], den: readonly number[]): Stat {
  return (idx) => {
    let a = 0;
    let b = 0;
    for (let i = 0; i < idx.length; i++) {
      a += num[idx[i]];
      b += den[idx[i]];
    }
    return b > 0 ? a / b : NaN;
  };
}

function bleuAt(stats: readonly BleuStats[], options: BleuOptions | undefined): Stat {
  // Flattened once so each resample sums a typed array instead of walking objects.
  const width = 2 * MAX_NGRAM_ORDER + 2;
  const flat = new Float64Array(stats.length * width);
  stats.forEach((s, r) => flat.set([...s.matches, ...s.totals, s.hypLength, s.refLength], r * width));
  const acc = new Float64Array(width);
  return (idx) => {
    acc.fill(0);
    for (let i = 0; i < idx.length; i++) {
      const base = idx[i] * width;
      for (let k = 0; k < width; k++) acc[k] += flat[base + k];
    }
    return bleuFromStats({
      matches: Array.from(acc.subarray(0, MAX_NGRAM_ORDER)),
      totals: Array.from(acc.subarray(MAX_NGRAM_ORDER, 2 * MAX_NGRAM_ORDER)),
      hypLength: acc[2 * MAX_NGRAM_ORDER],
      refLength: acc[2 * MAX_NGRAM_ORDER + 1],
    }, options, false);
  };
}

const positions = (records: readonly RecordScores[], has: (r: RecordScores) => boolean): number[] =>
  records.flatMap((r, i) => (has(r) ? [i] : []));

/** The metric groups the records support; a group no record carries is left out. */
export function metricGroups(records: readonly RecordScores[], bleuOptions?: BleuOptions): MetricGroup[] {
  const groups: MetricGroup[] = [];

  const genAt = positions(records, (r) => r.generation !== null);
  if (genAt.length > 0) {
    const gens = genAt.map((i) => records[i]);
    const column = (k: 'exact_match' | 'token_f1' | 'rouge_l'): Metric => {
      const v = gens.map((g) => (g.generation as NonNullable<RecordScores['generation']>)[k]);
      return { key: k, value: sum(v) / v.length, stat: (idx) => meanAt(v, idx) };
    };
    const stats = gens.map((g) => g.bleu_stats as BleuStats);
    groups.push({
      kind: 'generation',
      records: genAt,
      metrics: [
        column('exact_match'),
        column('token_f1'),
        column('rouge_l'),
        // Corpus BLEU: statistics pooled over records, not a mean of sentence scores.
        { key: 'bleu', value: bleuFromStats(sumBleuStats(stats), bleuOptions, false), stat: bleuAt(stats, bleuOptions) },
      ],
    });
  }

  const lossAt = positions(records, (r) => r.loss !== null);
  if (lossAt.length > 0) {
    const losses = lossAt.map((i) => records[i].loss as NonNullable<RecordScores['loss']>);
    const nll = losses.map((l) => l.nll);
    const tokens = losses.map((l) => l.tokens);
    const loss = ratioAt(nll, tokens);
    const value = sum(nll) / sum(tokens);
    groups.push({
      kind: 'loss',
      records: lossAt,
      metrics: [
        // Token-weighted: Σ NLL / Σ tokens, so a long response counts per token, not per record.
        { key: 'loss', value, stat: loss },
        { key: 'perplexity', value: Math.exp(value), stat: (idx) => Math.exp(loss(idx)) },
      ],
    });
  }

  const checkedAt = positions(records, (r) => r.checks !== null);
  if (checkedAt.length > 0) {
    const checked = checkedAt.map((i) => records[i].checks as NonNullable<RecordScores['checks']>);
    const ones = checked.map(() => 1);
    const per = checked.map((c) => c.checks.length);
    const prompt = (v: number[], key: MetricKey): Metric => ({ key, value: sum(v) / v.length, stat: ratioAt(v, ones) });
    // Instruction level is micro-averaged over all instructions, as IFEval reports it.
    const instruction = (v: number[], key: MetricKey): Metric => ({ key, value: sum(v) / sum(per), stat: ratioAt(v, per) });
    groups.push({
      kind: 'ifeval',
      records: checkedAt,
      metrics: [
        prompt(checked.map((c) => (c.prompt_strict ? 1 : 0)), 'ifeval.prompt_strict'),
        prompt(checked.map((c) => (c.prompt_loose ? 1 : 0)), 'ifeval.prompt_loose'),
        instruction(checked.map((c) => c.checks.filter((o) => o.strict).length), 'ifeval.instruction_strict'),
        instruction(checked.map((c) => c.checks.filter((o) => o.loose).length), 'ifeval.instruction_loose'),
      ],
    });
  }
  return groups;
}
