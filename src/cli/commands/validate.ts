// `instruct-studio validate FILE…`: every problem as `file:line:col severity code message`, or JSON.
import { InputError, UsageError } from '../args';
import type { CliCommand } from '../command';
import { validateFile, type ValidationResult } from '../../core/dataset/index';
import { formatFlag, onFile } from './datasetFiles';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check instruction datasets (JSONL or .json arrays): formats, fields, roles, duplicates, lengths',
  usage: 'FILE... [--json] [--format F] [--max-tokens N] [--near [--near-threshold T]]',
  flags: {
    json: { type: 'boolean', description: 'one JSON object per file (an array when several): {file, format, records, problems}' },
    format: { type: 'string', description: 'validate as this format instead of detecting it (alpaca, chat, completion, preference)', valueName: 'F' },
    'max-tokens': { type: 'number', description: 'token budget per record for too-long warnings (default 2048, byte-level)', valueName: 'N' },
    near: { type: 'boolean', description: 'also find similar (not only same-text) records by MinHash; slower on big files' },
    'near-threshold': { type: 'number', description: 'similarity for --near, 0..1 (default 0.8)', valueName: 'T' },
  },
  async run(args, io) {
    if (args.positional.length === 0) throw new UsageError('at least one FILE is needed');
    const format = formatFlag(args.flags.format, '--format');
    const maxTokens = args.flags['max-tokens'];
    if (maxTokens !== undefined && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) throw new UsageError('--max-tokens needs a positive whole number');
    const threshold = args.flags['near-threshold'];
    if (threshold !== undefined && (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1))) throw new UsageError('--near-threshold must be in (0, 1]');
    if (threshold !== undefined && !args.flags.near) throw new UsageError('--near-threshold only applies with --near');
    const near = args.flags.near === true ? { nearDuplicates: 'minhash' as const, nearDuplicateThreshold: threshold as number | undefined } : {};
    const results: ValidationResult[] = [];
    let ioFailed = false;
    for (const file of args.positional) {
      try {
        const r = await onFile(io, file, (path) => validateFile(path, { format, maxTokens: maxTokens as number | undefined, ...near }));
        results.push({ ...r, file });
        if (!args.flags.json) printHuman(r, file, io.stdout);
      } catch (e) {
        // one unreadable file does not hide the results of the others; it still decides the exit code
        if (!(e instanceof InputError)) throw e;
        io.stderr(`instruct-studio validate: ${e.message}\n`);
        ioFailed = true;
      }
    }
    if (args.flags.json && !(ioFailed && results.length === 0)) {
      const objs = results.map((r) => ({
        file: r.file,
        format: r.format,
        records: r.records,
        problems: r.problems.map((p) => ({ line: p.line, column: p.column, severity: p.severity, code: p.code, message: p.message })),
      }));
      io.stdout(JSON.stringify(args.positional.length === 1 ? objs[0] : objs, null, 2) + '\n');
    }
    if (ioFailed) return 2;
    return results.some((r) => r.errors > 0) ? 1 : 0;
  },
};

function printHuman(r: ValidationResult, file: string, out: (s: string) => void): void {
  const lines = r.problems.map((p) => `${file}:${p.line}:${p.column} ${p.severity} ${p.code} ${p.message}`);
  const summary = `${file}: ${r.records} record${r.records === 1 ? '' : 's'}, ${r.format}, ${r.errors} error${r.errors === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}`;
  out([...lines, summary].join('\n') + '\n');
}
