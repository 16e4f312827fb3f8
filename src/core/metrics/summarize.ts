// Metrics of one group of scored records, with percentile-bootstrap intervals that resample whole records.
import type { BleuOptions } from './bleu';
import { bootstrapStatistics, type BootstrapOptions, type Interval } from './bootstrap';
import { metricGroups, type MetricKey } from './metricGroups';
import type { RecordScores } from './record';
import type { IfevalSummary, MetricIntervals, MetricSummary } from './types';

/** Sets `path` ("loss" or "ifeval.prompt_strict") in a nested object, creating the parent. */
function setPath(target: Record<string, unknown>, path: MetricKey, value: unknown): void {
  const [head, tail] = path.split('.');
  if (tail === undefined) target[head] = value;
  else target[head] = { ...((target[head] as object | undefined) ?? {}), [tail]: value };
}

/**
 * Each metric's point value and, unless `bootstrap` is false, its interval. A metric's interval resamples only the
 * records that carry it (e.g. only records with checks for IFEval), as its point value averages only those.
 */
export function summarize(records: readonly RecordScores[], bootstrap: BootstrapOptions | false, bleuOptions?: BleuOptions): MetricSummary {
  const values: Record<string, unknown> = { exact_match: null, token_f1: null, rouge_l: null, bleu: null, loss: null, perplexity: null, ifeval: null };
  const ci: Record<string, unknown> = {};
  for (const group of metricGroups(records, bleuOptions)) {
    const intervals: Array<Interval | null> = bootstrap === false ? group.metrics.map(() => null) : bootstrapStatistics(group.records.length, group.metrics.map((m) => m.stat), bootstrap);
    group.metrics.forEach((m, k) => {
      setPath(values, m.key, m.value);
      const interval = intervals[k];
      if (interval) setPath(ci, m.key, interval);
    });
  }
  const lossRecords = records.filter((r) => r.loss !== null);
  const checked = records.filter((r) => r.checks !== null);
  return {
    n: records.length,
    exact_match: values.exact_match as number | null,
    token_f1: values.token_f1 as number | null,
    rouge_l: values.rouge_l as number | null,
    bleu: values.bleu as number | null,
    loss: values.loss as number | null,
    perplexity: values.perplexity as number | null,
    ifeval: values.ifeval as IfevalSummary | null,
    counts: {
      generations: records.filter((r) => r.generation !== null).length,
      loss_records: lossRecords.length,
      loss_tokens: lossRecords.reduce((s, r) => s + (r.loss?.tokens ?? 0), 0),
      ifeval_prompts: checked.length,
      ifeval_instructions: checked.reduce((s, r) => s + (r.checks?.checks.length ?? 0), 0),
    },
    ci: ci as MetricIntervals,
  };
}
