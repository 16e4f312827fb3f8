// `instruct-studio split FILE --eval 0.1`: a seeded train/eval split, optionally stratified, beside the input.
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { splitFile } from '../../core/dataset/index';
import { onFile, reportDatasetError, shown } from './datasetFiles';
import { resolve } from 'node:path';

export const splitCommand: CliCommand = {
  name: 'split',
  summary: 'split a dataset into FILE-train.jsonl and FILE-eval.jsonl (seeded, optionally stratified)',
  usage: 'FILE --eval FRACTION [--seed N] [--stratify FIELD] [-o PREFIX] [--force]',
  flags: {
    eval: { type: 'number', description: 'share of records for evaluation, e.g. 0.1', valueName: 'FRACTION' },
    seed: { type: 'number', description: 'random seed (default 0); the same seed gives the same split', valueName: 'N' },
    stratify: { type: 'string', description: 'keep the share of each value of this field (e.g. task) in both parts', valueName: 'FIELD' },
    out: { type: 'string', alias: 'o', description: 'output prefix: writes PREFIX-train.jsonl and PREFIX-eval.jsonl', valueName: 'PREFIX' },
    force: { type: 'boolean', description: 'overwrite existing outputs' },
  },
  async run(args, io) {
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `one FILE expected, got ${args.positional.length}` : 'the FILE is missing');
    const f = args.flags;
    if (typeof f.eval !== 'number') throw new UsageError('--eval FRACTION is required (e.g. --eval 0.1)');
    if (!(f.eval > 0 && f.eval < 1)) throw new UsageError(`--eval must be between 0 and 1 (exclusive), got ${f.eval}`);
    if (f.seed !== undefined && (typeof f.seed !== 'number' || !Number.isInteger(f.seed))) throw new UsageError('--seed needs a whole number');
    const file = args.positional[0];
    try {
      const r = await onFile(io, file, (path) => splitFile(path, {
        evalFraction: f.eval as number,
        seed: f.seed as number | undefined,
        stratify: typeof f.stratify === 'string' ? f.stratify : undefined,
        prefix: typeof f.out === 'string' ? resolve(io.cwd, f.out) : undefined,
        force: f.force === true,
      }));
      const lines = [`wrote ${shown(io, r.train)} (${r.trainCount} records) and ${shown(io, r.eval)} (${r.evalCount} records)`];
      if (r.groups) {
        lines.push(`stratified by ${f.stratify}:`);
        for (const [g, c] of Object.entries(r.groups)) lines.push(`  ${g.padEnd(20)} ${String(c.total - c.eval).padStart(6)} train ${String(c.eval).padStart(6)} eval`);
      }
      io.stdout(lines.join('\n') + '\n');
      return 0;
    } catch (e) {
      return reportDatasetError(io, e);
    }
  },
};
