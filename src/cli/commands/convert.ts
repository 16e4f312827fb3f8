// `instruct-studio convert FILE --to FORMAT -o OUT`: the same records in another format, written to a new file.
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { convertFile } from '../../core/dataset/index';
import { formatFlag, onFile, reportDatasetError } from './datasetFiles';
import { resolve } from 'node:path';

export const convertCommand: CliCommand = {
  name: 'convert',
  summary: 'convert a dataset between alpaca, chat, prompt/completion and preference (unknown keys kept)',
  usage: 'FILE --to FORMAT -o OUT [--force]',
  flags: {
    to: { type: 'string', description: 'target format: alpaca, chat, completion or preference', valueName: 'FORMAT' },
    out: { type: 'string', alias: 'o', description: 'the new file to write (JSONL)', valueName: 'OUT' },
    force: { type: 'boolean', description: 'overwrite OUT if it exists' },
  },
  async run(args, io) {
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `one FILE expected, got ${args.positional.length}` : 'the FILE is missing');
    const to = formatFlag(args.flags.to, '--to');
    if (!to) throw new UsageError('--to FORMAT is required');
    const out = args.flags.out;
    if (typeof out !== 'string' || out === '') throw new UsageError('-o OUT is required');
    const file = args.positional[0];
    try {
      const r = await onFile(io, file, (path) => convertFile(path, resolve(io.cwd, out), to, { force: args.flags.force === true }));
      io.stdout(`wrote ${out}: ${r.records} record${r.records === 1 ? '' : 's'} as ${to}\n`);
      return 0;
    } catch (e) {
      return reportDatasetError(io, e);
    }
  },
};
