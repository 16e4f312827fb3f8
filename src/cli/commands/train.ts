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
  usage: '--data FILE [--eval FILE] --out DIR [--stage sft|dpo] [--model tiny|DIR] [--template T] [--steps N|--epochs N] [--max-minutes M] [--seed N] [--lr X] [--batch N] [--json]',
  flags: {
    data: { type: 'string', description: 'training data (JSONL: alpaca, chat or prompt/completion; preference pairs for --stage dpo)', valueName: 'FILE' },
    stage: { type: 'string', description: 'sft (default) or dpo: preference tuning on prompt/chosen/rejected records, from --model (e.g. an SFT run)', valueName: 'sft|dpo' },
    beta: { type: 'number', description: 'DPO: strength of the pull towards the starting model (default 0.1)', valueName: 'X' },
    'dpo-loss': { type: 'string', description: 'DPO: sigmoid (default) or ipo', valueName: 'sigmoid|ipo' },
    'label-smoothing': { type: 'number', description: 'DPO: assumed fraction of flipped preferences, sigmoid loss (default 0)', valueName: 'X' },
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
    const stage = f.stage === undefined ? 'sft' : f.stage;
    if (stage !== 'sft' && stage !== 'dpo') throw new UsageError(`--stage must be sft or dpo, got ${JSON.stringify(stage)}`);
    const overrides = overridesFrom(f);
    const dpoFlags = { beta: 'dpoBeta', 'dpo-loss': 'dpoLoss', 'label-smoothing': 'dpoLabelSmoothing' } as const;
    for (const [flag, key] of Object.entries(dpoFlags)) {
      if (f[flag] === undefined) continue;
      if (stage !== 'dpo') throw new UsageError(`--${flag} applies to --stage dpo only`);
      overrides[key] = f[flag] as number | string;
    }
    if (typeof f['eval-fraction'] === 'number') overrides.evalFraction = f['eval-fraction'];
    const json = f.json === true;
    const { result } = await runLive({
      data, eval: evalFile, out, model, resume: true, ...(stage === 'dpo' ? { stage } : {}), skipInvalid: f['skip-invalid'] === true, includeRejected: f['include-rejected'] === true, overrides,
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
