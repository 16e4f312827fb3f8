// `instruct-studio stats FILE`: what a dataset holds, as a readable table or JSON.
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { computeFileStats, type DatasetStats, type LengthStats } from '../../core/dataset/index';
import { onFile } from './datasetFiles';

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: 'statistics of a dataset: formats, tasks, token lengths, duplicate and empty rates',
  usage: 'FILE [--json]',
  flags: {
    json: { type: 'boolean', description: 'print the statistics as one JSON object' },
  },
  async run(args, io) {
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `one FILE expected, got ${args.positional.length}` : 'the FILE is missing');
    const file = args.positional[0];
    const stats = await onFile(io, file, (path) => computeFileStats(path));
    stats.file = file;
    io.stdout(args.flags.json ? JSON.stringify(stats, null, 2) + '\n' : formatStats(stats));
    return 0;
  },
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const BARS = '▁▂▃▄▅▆▇█';

/** A one-line histogram: one bar per bin, height relative to the largest bin. */
export function sparkline(counts: readonly number[]): string {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (c === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((c / max) * (BARS.length - 1)))])).join('');
}

export function formatStats(s: DatasetStats): string {
  const out: string[] = [];
  out.push(`${s.file}: ${s.records} record${s.records === 1 ? '' : 's'}, ${s.format}${s.invalid ? ` (+${s.invalid} not valid JSON records)` : ''}`);
  const formats = Object.entries(s.formats).filter(([, n]) => n > 0).map(([f, n]) => `${f} ${n}`).join(', ');
  out.push(`  formats          ${formats || 'none'}`);
  if (s.tasks) {
    out.push(`  ${`${s.tasks.field === "task" ? "tasks" : "categories"}`.padEnd(16)} ${Object.entries(s.tasks.counts).map(([t, n]) => `${t} ${n}`).join(', ')}`);
  }
  out.push('');
  out.push(`  tokens (${s.tokenizer})   mean    p50    p90    p99    max   histogram`);
  const row = (name: string, l: LengthStats) =>
    `    ${name.padEnd(16)} ${l.mean.toFixed(1).padStart(7)} ${String(l.p50).padStart(6)} ${String(l.p90).padStart(6)} ${String(l.p99).padStart(6)} ${String(l.max).padStart(6)}   ${sparkline(l.histogram.counts)} (0–${l.histogram.edges[l.histogram.edges.length - 1]})`;
  out.push(row('prompt', s.promptTokens));
  out.push(row('response', s.responseTokens));
  out.push('');
  out.push(`  duplicates       ${s.duplicates} (${pct(s.duplicateRate)})`);
  out.push(`  near-duplicates  ${s.nearDuplicates} (${pct(s.nearDuplicateRate)})`);
  out.push(`  empty fields     ${s.empty} (${pct(s.emptyRate)})`);
  out.push(`  problems         ${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}${s.errors + s.warnings ? ' (see `instruct-studio validate`)' : ''}`);
  return out.join('\n') + '\n';
}
