// `instruct-studio export`: a checkpoint as a Hugging Face model folder (LoRA merged with --merge) or, for a LoRA
// checkpoint without --merge, as a PEFT adapter folder.
import { isAbsolute, relative, resolve } from 'node:path';
import { InputError, UsageError } from '../args';
import type { CliCommand } from '../command';
import { CheckpointError } from '../../trainer/checkpoint';
import { ModelDirError, resolveModelDir } from '../../trainer/modelDir';
import { LoraError } from '../../trainer/engine/lora';
import { ExportError, exportCheckpoint } from '../../trainer/exportModel';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write a checkpoint as a Hugging Face model folder (--merge: LoRA merged in) or a PEFT adapter folder',
  usage: '--checkpoint DIR -o OUT [--merge] [--force] [--json]',
  flags: {
    checkpoint: { type: 'string', description: 'a checkpoint, adapter or run folder (a run folder: its best/, else checkpoint/)', valueName: 'DIR' },
    out: { type: 'string', alias: 'o', description: 'output folder (must be empty or new)', valueName: 'OUT' },
    merge: { type: 'boolean', description: 'merge LoRA adapters into the weights: W0 + (alpha/r)·BA (default for a LoRA checkpoint: the PEFT adapter folder)' },
    force: { type: 'boolean', description: 'write into a non-empty OUT' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    const f = args.flags;
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    if (typeof f.checkpoint !== 'string') throw new UsageError('--checkpoint DIR is required');
    if (typeof f.out !== 'string') throw new UsageError('-o OUT is required');
    const out = resolve(io.cwd, f.out);
    let result;
    try {
      const dir = resolveModelDir(resolve(io.cwd, f.checkpoint));
      const inside = relative(resolve(dir), out);
      if (!inside.startsWith('..') && !isAbsolute(inside)) throw new InputError(`-o ${f.out}: is inside the checkpoint being exported`);
      result = exportCheckpoint(dir, out, { merge: f.merge === true, force: f.force === true });
    } catch (e) {
      if (e instanceof ModelDirError || e instanceof CheckpointError || e instanceof ExportError || e instanceof LoraError) throw new InputError(e.message);
      throw e;
    }
    if (f.json) io.stdout(JSON.stringify({ out, ...result }) + '\n');
    else {
      const what = { merged: 'Hugging Face model folder, LoRA merged', adapter: 'PEFT adapter folder', model: 'Hugging Face model folder' }[result.kind];
      io.stdout(`wrote ${what} to ${f.out}: ${result.files.join(', ')}\n`);
    }
    return 0;
  },
};
