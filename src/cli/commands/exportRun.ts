// `instruct-studio export-run RUN --to axolotl|trl -o DIR`: the run as an Axolotl config or a TRL script with
// accelerate/DeepSpeed configs, its data copied in, so it trains again on a cluster.
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { EXPORT_TARGETS, ExportError, writeExport, type ExportTarget } from '../../core/exportRun/index';
import { resolve, relative } from 'node:path';

export const exportRunCommand: CliCommand = {
  name: 'export-run',
  summary: 'export a run as an Axolotl config or a TRL script (with accelerate / DeepSpeed configs) for a GPU cluster',
  usage: 'RUN --to axolotl|trl -o DIR [--base-model ID] [--force]',
  flags: {
    to: { type: 'string', description: 'axolotl (axolotl.yml) or trl (train_trl.py)', valueName: 'TARGET' },
    out: { type: 'string', alias: 'o', description: 'folder to write (must be new or empty)', valueName: 'DIR' },
    'base-model': { type: 'string', description: 'Hugging Face hub id or folder to train from (runs of the built-in model need one)', valueName: 'ID' },
    force: { type: 'boolean', description: 'write into a folder that is not empty' },
  },
  async run(args, io) {
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `one RUN folder expected, got ${args.positional.length}` : 'the RUN folder is missing');
    const f = args.flags;
    if (typeof f.to !== 'string' || !(EXPORT_TARGETS as readonly string[]).includes(f.to)) throw new UsageError(`--to must be ${EXPORT_TARGETS.join(' or ')}`);
    if (typeof f.out !== 'string') throw new UsageError('-o DIR is required');
    const baseModel = typeof f['base-model'] === 'string' ? f['base-model'] : undefined;
    if (baseModel !== undefined && !baseModel.trim()) throw new UsageError('--base-model needs a hub id or a folder');
    try {
      const r = await writeExport(resolve(io.cwd, args.positional[0]), resolve(io.cwd, f.out), { to: f.to as ExportTarget, baseModel, force: f.force === true });
      for (const w of r.warnings) io.stderr(`warning: ${w}\n`);
      const rel = relative(io.cwd, r.outDir);
      const shown = !rel ? '.' : rel.startsWith('..') ? r.outDir : rel;
      const lines = [`wrote ${r.files.size} files to ${shown}:`, ...[...r.files.keys()].sort().map((k) => `  ${k}`), ''];
      lines.push(f.to === 'axolotl' ? `launch: cd ${shown} && axolotl train axolotl.yml` : `launch: cd ${shown} && accelerate launch --config_file accelerate_multi_gpu.yaml train_trl.py`);
      io.stdout(lines.join('\n') + '\n');
      return 0;
    } catch (e) {
      if (e instanceof ExportError) {
        io.stderr(`export-run: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  },
};
