// `instruct-studio train`: fine-tune in a child process; re-running with the same --out resumes.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { existingCheckpointDir } from '../../trainer/checkpoint';
import { readRunInfo, runPaths } from '../../trainer/runFolder';
import { absoluteTemplateRef } from '../../trainer/template';
import { exitCodeOf, overridesFrom, requireFile, runLive, trainingFlags } from './trainSupport';

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'fine-tune a model on an instruction dataset (resumes when --out holds an unfinished run)',
  usage: '--data FILE [--eval FILE] --out DIR [--model tiny|DIR] [--template T] [--steps N|--epochs N] [--max-minutes M] [--seed N] [--lr X] [--batch N] [--lora [--lora-r 8 --lora-alpha 16 --lora-targets LIST]] [--json]',
  flags: {
    data: { type: 'string', description: 'training data (JSONL: alpaca, chat or prompt/completion)', valueName: 'FILE' },
    eval: { type: 'string', description: 'eval split (default: a held-out fraction of --data)', valueName: 'FILE' },
    out: { type: 'string', description: 'run folder: metrics.jsonl, checkpoint/, best/, run.json', valueName: 'DIR' },
    model: { type: 'string', description: 'tiny (built-in, random init) or a model / run folder (default tiny)', valueName: 'tiny|DIR' },
    template: { type: 'string', description: 'render records with this template: a preset, a .jinja, tokenizer_config.json[#name] or a model folder (saved with the run)', valueName: 'T' },
    resume: { type: 'boolean', description: 'require resuming from DIR/checkpoint (re-running with the same --out resumes anyway)' },
    ...trainingFlags,
  },
  async run(args, io) {
    const f = args.flags;
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    if (typeof f.data !== 'string') throw new UsageError('--data FILE is required');
    if (typeof f.out !== 'string') throw new UsageError('--out DIR is required');
    const data = requireFile(io, f.data, '--data');
    const evalFile = typeof f.eval === 'string' ? requireFile(io, f.eval, '--eval') : undefined;
    const out = resolve(io.cwd, f.out);
    const model = typeof f.model === 'string' && f.model !== 'tiny' ? resolve(io.cwd, f.model) : 'tiny';
    if (model !== 'tiny' && !existsSync(model)) throw new UsageError(`--model ${f.model}: no such folder (use "tiny" for the built-in model)`);
    const previous = readRunInfo(out);
    if (previous?.status === 'finished') {
      io.stderr(`instruct-studio train: ${f.out} holds a finished run (step ${previous.step}); nothing was overwritten. Choose another --out.\n`);
      return 2;
    }
    if (f.resume && !existingCheckpointDir(runPaths(out).checkpoint)) throw new UsageError(`--resume: ${f.out} has no checkpoint to resume from`);
    const overrides = overridesFrom(f);
    if (typeof f['eval-fraction'] === 'number') overrides.evalFraction = f['eval-fraction'];
    const json = f.json === true;
    const { result } = await runLive({
      data, eval: evalFile, out, model, resume: true, skipInvalid: f['skip-invalid'] === true, includeRejected: f['include-rejected'] === true, overrides,
      // The child resolves it (and a bad one fails the run naming the file); only paths are made absolute here.
      ...(typeof f.template === 'string' ? { template: absoluteTemplateRef(f.template, io.cwd) } : {}),
    }, io, json);
    if (result.status === 'failed') {
      if (!json) io.stderr(`instruct-studio train: ${result.reason}\n`);
      return exitCodeOf(result);
    }
    if (!json) io.stdout(`${result.status} at step ${result.step} (${result.reason})${result.bestEvalLoss !== null ? `, best eval loss ${result.bestEvalLoss.toFixed(4)}` : ''}; run folder: ${f.out}\n`);
    return 0;
  },
};
