// Metrics of one group of scored records, with percentile-bootstrap intervals that resample whole records.
import { bleuFromStats, MAX_NGRAM_ORDER, sumBleuStats, type BleuOptions, type BleuStats } from './bleu';
import { bootstrapStatistics, meanAt, type BootstrapOptions, type Interval } from './bootstrap';
import type { RecordScores } from './record';
import type { IfevalSummary, MetricIntervals, MetricSummary } from './types';

type Stat = (indices: Uint32Array) => number;

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

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
    const sum: BleuStats = {
      matches: Array.from(acc.subarray(0, MAX_NGRAM_ORDER)),
      totals: Array.from(acc.subarray(MAX_NGRAM_ORDER, 2 * MAX_NGRAM_ORDER)),
      hypLength: acc[2 * MAX_NGRAM_ORDER],
      refLength: acc[2 * MAX_NGRAM_ORDER + 1],
    };
    return bleuFromStats(sum, options, false);
  };
}

/**
 * Each metric's point value and, unless `bootstrap` is false, its interval. A metric's interval resamples only the
 * records that carry it (e.g. only records with checks for IFEval), as its point value averages only those.
 */
export function summarize(records: readonly RecordScores[], bootstrap: BootstrapOptions | false, bleuOptions?: BleuOptions): MetricSummary {
  const gens = records.filter((r) => r.generation !== null);
  const losses = records.filter((r) => r.loss !== null).map((r) => r.loss as NonNullable<RecordScores['loss']>);
  const checked = records.filter((r) => r.checks !== null).map((r) => r.checks as NonNullable<RecordScores['checks']>);

  const ci: MetricIntervals = {};
  const want = bootstrap !== false;
  const intervals = (n: number, stats: Stat[]): Array<Interval | null> => (want ? bootstrapStatistics(n, stats, bootstrap) : stats.map(() => null));
  const put = <K extends keyof MetricIntervals>(key: K, v: Interval | null): void => {
    if (v) ci[key] = v as MetricIntervals[K];
  };

  let em: number | null = null;
  let f1: number | null = null;
  let rl: number | null = null;
  let bleu: number | null = null;
  if (gens.length > 0) {
    const column = (k: 'exact_match' | 'token_f1' | 'rouge_l'): number[] => gens.map((g) => g.generation?.[k] as number);
    const [emv, f1v, rlv] = [column('exact_match'), column('token_f1'), column('rouge_l')];
    const stats = gens.map((g) => g.bleu_stats as BleuStats);
    [em, f1, rl] = [mean(emv), mean(f1v), mean(rlv)];
    bleu = bleuFromStats(sumBleuStats(stats), bleuOptions, false);
    const [a, b, c, d] = intervals(gens.length, [(i) => meanAt(emv, i), (i) => meanAt(f1v, i), (i) => meanAt(rlv, i), bleuAt(stats, bleuOptions)]);
    put('exact_match', a);
    put('token_f1', b);
    put('rouge_l', c);
    put('bleu', d);
  }

  let loss: number | null = null;
  let ppl: number | null = null;
  const lossTokens = losses.reduce((s, l) => s + l.tokens, 0);
  if (losses.length > 0) {
    const nll = losses.map((l) => l.nll);
    const tokens = losses.map((l) => l.tokens);
    loss = nll.reduce((a, b) => a + b, 0) / lossTokens;
    ppl = Math.exp(loss);
    const [lc] = intervals(losses.length, [ratioAt(nll, tokens)]);
    put('loss', lc);
    // exp is monotone, so the percentile interval of perplexity is exp of the loss interval.
    if (lc) ci.perplexity = { low: Math.exp(lc.low), high: Math.exp(lc.high) };
  }

  let ifeval: IfevalSummary | null = null;
  const instructions = checked.reduce((s, c) => s + c.checks.length, 0);
  if (checked.length > 0) {
    const ones = checked.map(() => 1);
    const ps = checked.map((c) => (c.prompt_strict ? 1 : 0));
    const pl = checked.map((c) => (c.prompt_loose ? 1 : 0));
    const is = checked.map((c) => c.checks.filter((o) => o.strict).length);
    const il = checked.map((c) => c.checks.filter((o) => o.loose).length);
    const per = checked.map((c) => c.checks.length);
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    // Instruction level is micro-averaged over all instructions, as IFEval reports it.
    ifeval = { prompt_strict: mean(ps), prompt_loose: mean(pl), instruction_strict: sum(is) / instructions, instruction_loose: sum(il) / instructions };
    const [a, b, c, d] = intervals(checked.length, [ratioAt(ps, ones), ratioAt(pl, ones), ratioAt(is, per), ratioAt(il, per)]);
    if (a && b && c && d) ci.ifeval = { prompt_strict: a, prompt_loose: b, instruction_strict: c, instruction_loose: d };
  }

  return {
    n: records.length,
    exact_match: em,
    token_f1: f1,
    rouge_l: rl,
    bleu,
    loss,
    perplexity: ppl,
    ifeval,
    counts: { generations: gens.length, loss_records: losses.length, loss_tokens: lossTokens, ifeval_prompts: checked.length, ifeval_instructions: instructions },
    ci,
  };
}
