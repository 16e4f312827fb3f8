// Dataset statistics: counts, task mix, token lengths (built-in byte-level tokenizer), duplicate and empty rates.
// Computed in the same pass as validation, so the numbers agree with the problems the user sees.
import type { DatasetFormat, DatasetStats, Histogram, LengthStats, ParsedRecord, Problem, ValidateOptions, ValidationResult } from './types';
import { DatasetScanner } from './scanner';
import { feedFile, feedText } from './feed';
import { visitContent } from './content';
import { countTextTokens, TOKENIZER_NAME } from './tokens';

const HISTOGRAM_BINS = 20;

export class StatsAccumulator {
  private prompt: number[] = [];
  private response: number[] = [];
  private formats: Record<DatasetFormat | 'unknown', number> = { alpaca: 0, chat: 0, completion: 0, preference: 0, unknown: 0 };
  private tasks = new Map<string, number>();
  private categories = new Map<string, number>();
  private duplicates = 0;
  private nearDuplicates = 0;
  private empty = 0;

  add(record: ParsedRecord, problems: readonly Problem[]): void {
    this.formats[record.format ?? 'unknown']++;
    if (typeof record.value.task === 'string') this.tasks.set(record.value.task, (this.tasks.get(record.value.task) ?? 0) + 1);
    if (typeof record.value.category === 'string') this.categories.set(record.value.category, (this.categories.get(record.value.category) ?? 0) + 1);
    if (record.format) {
      let p = 0;
      let r = 0;
      visitContent(record.value, record.format, (text, isResponse, field) => {
        if (!isResponse) p += countTextTokens(text);
        else if (!field.startsWith('rejected')) r += countTextTokens(text);
      });
      this.prompt.push(p);
      this.response.push(r);
    }
    if (problems.some((x) => x.code === 'duplicate')) this.duplicates++;
    if (problems.some((x) => x.code === 'near-duplicate')) this.nearDuplicates++;
    if (problems.some((x) => x.code === 'empty-field')) this.empty++;
  }

  finish(result: ValidationResult): DatasetStats {
    const objects = Object.values(this.formats).reduce((a, b) => a + b, 0);
    const rate = (n: number) => (objects ? n / objects : 0);
    const taskField = this.tasks.size ? 'task' : this.categories.size ? 'category' : undefined;
    const stats: DatasetStats = {
      file: result.file,
      format: result.format,
      records: objects,
      invalid: result.records - objects,
      formats: { ...this.formats },
      tokenizer: TOKENIZER_NAME,
      promptTokens: lengthStats(this.prompt),
      responseTokens: lengthStats(this.response),
      duplicates: this.duplicates,
      duplicateRate: rate(this.duplicates),
      nearDuplicates: this.nearDuplicates,
      nearDuplicateRate: rate(this.nearDuplicates),
      empty: this.empty,
      emptyRate: rate(this.empty),
      errors: result.errors,
      warnings: result.warnings,
    };
    if (taskField) {
      const m = taskField === 'task' ? this.tasks : this.categories;
      stats.tasks = { field: taskField, counts: Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) };
    }
    return stats;
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** A bin width of 1, 2 or 5 times a power of ten, so the axis reads well. */
export function niceWidth(max: number, bins: number): number {
  const raw = Math.max(1, max / bins);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function histogram(values: readonly number[], bins = HISTOGRAM_BINS): Histogram {
  if (values.length === 0) return { edges: [0, 1], counts: [0] };
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const width = niceWidth(max + 1, bins);
  const n = Math.max(1, Math.ceil((max + 1) / width));
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor(v / width))]++;
  return { edges: Array.from({ length: n + 1 }, (_, i) => i * width), counts };
}

export function lengthStats(values: number[]): LengthStats {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  const sum = arr.reduce((a, b) => a + b, 0);
  return {
    count: arr.length,
    mean: arr.length ? sum / arr.length : 0,
    min: arr.length ? arr[0] : 0,
    p50: percentile(arr, 0.5),
    p90: percentile(arr, 0.9),
    p99: percentile(arr, 0.99),
    max: arr.length ? arr[arr.length - 1] : 0,
    histogram: histogram(arr),
  };
}

function scannerWithStats(options: ValidateOptions & { file?: string }) {
  const acc = new StatsAccumulator();
  const scanner = new DatasetScanner({ ...options, onRecord: (r, p) => acc.add(r, p) });
  return { scanner, acc };
}

/** Statistics of a document (`file` decides between JSONL and a `.json` array and names the result). */
export function computeStats(text: string, options: ValidateOptions & { file?: string } = {}): DatasetStats {
  const { scanner, acc } = scannerWithStats(options);
  feedText(text, scanner, options.file);
  return acc.finish(scanner.finish());
}

/** Statistics of a file, streamed from disk. */
export async function computeFileStats(path: string, options: ValidateOptions = {}): Promise<DatasetStats> {
  const { scanner, acc } = scannerWithStats({ ...options, file: path });
  await feedFile(path, scanner);
  return acc.finish(scanner.finish());
}
