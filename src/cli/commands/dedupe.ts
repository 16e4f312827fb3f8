// `instruct-studio dedupe FILE -o OUT`: the dataset without repeated records (first occurrences kept).
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { dedupeFile, DEFAULT_NEAR_DUPLICATE_THRESHOLD } from '../../core/dataset/index';
import { onFile, reportDatasetError } from './datasetFiles';
import { resolve } from 'node:path';

export const dedupeCommand: CliCommand = {
  name: 'dedupe',
  summary: 'write a copy of a dataset without duplicate records (--near: also near-duplicates)',
  usage: 'FILE -o OUT [--near] [--threshold T] [--force]',
  flags: {
    out: { type: 'string', alias: 'o', description: 'the new file to write', valueName: 'OUT' },
    near: { type: 'boolean', description: 'also remove near-duplicates (similar text after normalizing case, spacing, punctuation)' },
    threshold: { type: 'number', description: `similarity for --near, 0..1 (default ${DEFAULT_NEAR_DUPLICATE_THRESHOLD})`, valueName: 'T' },
    force: { type: 'boolean', description: 'overwrite OUT if it exists' },
  },
  async run(args, io) {
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `one FILE expected, got ${args.positional.length}` : 'the FILE is missing');
    const f = args.flags;
    if (typeof f.out !== 'string' || f.out === '') throw new UsageError('-o OUT is required');
    if (f.threshold !== undefined && (typeof f.threshold !== 'number' || !(f.threshold > 0 && f.threshold <= 1))) throw new UsageError('--threshold must be in (0, 1]');
    if (f.threshold !== undefined && !f.near) throw new UsageError('--threshold only applies with --near');
    const out = f.out;
    try {
      const r = await onFile(io, args.positional[0], (path) => dedupeFile(path, resolve(io.cwd, out), {
        near: f.near === true, threshold: f.threshold as number | undefined, force: f.force === true,
      }));
      const exact = r.removed.filter((x) => x.kind === 'duplicate').length;
      const near = r.removed.length - exact;
      const lines = [`wrote ${out}: kept ${r.kept} of ${r.kept + r.removed.length} records; removed ${exact} duplicate${exact === 1 ? '' : 's'}${f.near ? ` and ${near} near-duplicate${near === 1 ? '' : 's'}` : ''}`];
      for (const x of r.removed) {
        lines.push(`  line ${x.record.line}: ${x.kind === 'duplicate' ? 'duplicate' : `near-duplicate (${Math.round((x.similarity ?? 1) * 100)}%)`} of line ${x.firstLine}`);
      }
      io.stdout(lines.join('\n') + '\n');
      return 0;
    } catch (e) {
      return reportDatasetError(io, e);
    }
  },
};
