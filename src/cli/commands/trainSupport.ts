// What train and demo share: turning flags into a TrainRequest, running the child with live output, Ctrl-C.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, UsageError, type FlagSpec, type ParsedArgs } from '../args';
import type { CliIO } from '../command';
import type { ChildToParent, EvalRow, GenerationSample, TrainRequest } from '../../shared/protocol/trainer';
import { startTrainer, type RunResult, type TrainerProcessOptions } from '../../trainer/client';
import { evalLine, metricsLine, progressBar } from '../../trainer/report';
import { resolveSavedTemplate } from '../../trainer/template';
import { createRenderer, TemplateError, TemplateRefError, type RecordRenderer } from '../../core/template';
import type { Tokenizer } from '../../core/tokenizer/types';

export const trainingFlags: Record<string, FlagSpec> = {
  steps: { type: 'number', description: 'optimizer steps', valueName: 'N' },
  epochs: { type: 'number', description: 'passes over the data (default 1 unless --steps or --max-minutes)', valueName: 'N' },
  'max-minutes': { type: 'number', description: 'wall-clock budget; alone, it also sets the schedule length', valueName: 'M' },
  seed: { type: 'number', description: 'seed for weights, data order and split (default 1337)', valueName: 'N' },
  lr: { type: 'number', description: 'peak learning rate (default 2e-3)', valueName: 'X' },
  batch: { type: 'number', description: 'rows of `context` tokens per micro-batch (default 16)', valueName: 'N' },
  'grad-accum': { type: 'number', description: 'micro-batches per optimizer step (default 1)', valueName: 'N' },
  context: { type: 'number', description: 'context length of the built-in model (default 128)', valueName: 'N' },
  'd-model': { type: 'number', description: 'width of the built-in model (default 128)', valueName: 'N' },
  layers: { type: 'number', description: 'layers of the built-in model (default 2)', valueName: 'N' },
  heads: { type: 'number', description: 'attention heads of the built-in model (default 4)', valueName: 'N' },
  'no-packing': { type: 'boolean', description: 'one example per row, padded, instead of packing several' },
  'task-weights': { type: 'string', description: 'sampling weights per task, e.g. reverse=2,sort=1', valueName: 'LIST' },
  'eval-every': { type: 'number', description: 'steps between evaluations (default 100; 0 = start and end only)', valueName: 'N' },
  'eval-fraction': { type: 'number', description: 'held-out fraction when no --eval file (default 0.05)', valueName: 'X' },
  'exact-match-samples': { type: 'number', description: 'eval records generated for exact match (default 64)', valueName: 'N' },
  patience: { type: 'number', description: 'early stopping: evaluations without a better eval loss (default 0 = off)', valueName: 'N' },
  lora: { type: 'boolean', description: 'train LoRA adapters (PEFT format) instead of all weights; the base stays frozen' },
  'lora-r': { type: 'number', description: 'LoRA rank (default 8)', valueName: 'N' },
  'lora-alpha': { type: 'number', description: 'LoRA alpha: adapters are scaled by alpha/r (default 16)', valueName: 'X' },
  'lora-dropout': { type: 'number', description: 'LoRA dropout: only 0 is supported (adapters are merged into the weights)', valueName: 'X' },
  'lora-targets': { type: 'string', description: 'modules to adapt, e.g. q_proj,v_proj (default: c_attn for GPT-2, q/k/v/o_proj for Llama)', valueName: 'LIST' },
  'skip-invalid': { type: 'boolean', description: 'train on the valid records of a dataset with errors, saying how many were skipped' },
  'include-rejected': { type: 'boolean', description: 'also train on records whose review is "rejected"' },
  json: { type: 'boolean', description: 'one JSON object per line (metrics, eval, log, done)' },
};

/** Flag name → config setting, for plain numeric settings. */
const numeric: Record<string, string> = {
  steps: 'steps', epochs: 'epochs', 'max-minutes': 'maxMinutes', seed: 'seed', lr: 'lr', batch: 'batchSize', 'grad-accum': 'gradAccum',
  context: 'contextLength', 'd-model': 'dModel', layers: 'nLayers', heads: 'nHeads', 'eval-every': 'evalEvery', 'exact-match-samples': 'exactMatchSamples', patience: 'patience',
  'lora-r': 'loraR', 'lora-alpha': 'loraAlpha', 'lora-dropout': 'loraDropout',
};

export function overridesFrom(flags: ParsedArgs['flags']): TrainRequest['overrides'] {
  const o: TrainRequest['overrides'] = {};
  for (const [flag, key] of Object.entries(numeric)) if (typeof flags[flag] === 'number') o[key] = flags[flag] as number;
  if (flags.steps !== undefined && flags.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
  // How long: exactly what was asked; the default (one epoch) only when nothing was.
  if (flags.steps !== undefined) o.epochs = 0;
  else if (flags.epochs === undefined && flags['max-minutes'] !== undefined) o.epochs = 0;
  if (flags['no-packing']) o.packing = false;
  if (flags.lora) o.lora = true;
  if (typeof flags['lora-targets'] === 'string') o.loraTargets = flags['lora-targets'];
  const loraOnly = ['lora-r', 'lora-alpha', 'lora-dropout', 'lora-targets'].filter((k) => flags[k] !== undefined);
  if (loraOnly.length && !flags.lora) throw new UsageError(`--${loraOnly[0]} needs --lora`);
  if (typeof flags['task-weights'] === 'string') o.taskWeights = parseTaskWeights(flags['task-weights']);
  return o;
}

export function parseTaskWeights(s: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(.+?)=(.+)$/.exec(part);
    const w = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(w) || w < 0) throw new UsageError(`--task-weights: "${part}" is not TASK=WEIGHT with a weight of 0 or more`);
    out[m[1].trim()] = w;
  }
  return out;
}

export function requireFile(io: CliIO, path: string, flag: string): string {
  const p = resolve(io.cwd, path);
  if (!existsSync(p)) throw new InputError(`${flag} ${path}: no such file`);
  if (statSync(p).isDirectory()) throw new InputError(`${flag} ${path}: is a directory, expected a file`);
  return p;
}

export interface LiveRun {
  result: RunResult;
  evals: Array<{ row: EvalRow; samples: GenerationSample[] }>;
}

/** Runs the child, prints progress as it comes (bar on a TTY, lines otherwise, JSON with --json), handles Ctrl-C. */
export async function runLive(request: TrainRequest, io: CliIO, json: boolean, processOptions: TrainerProcessOptions = trainerProcessOptions()): Promise<LiveRun> {
  const evals: LiveRun['evals'] = [];
  let totalSteps = 0;
  let barShown = false;
  const clearBar = () => {
    if (barShown) io.stdout('\r\x1b[2K');
    barShown = false;
  };
  const print = (line: string) => {
    clearBar();
    io.stdout(line + '\n');
  };
  const onMessage = (m: ChildToParent) => {
    if (m.type === 'eval') evals.push({ row: m.row, samples: m.samples });
    if (json) {
      // Rows are flattened so each line reads like the matching metrics.jsonl row plus its type.
      if (m.type !== 'progress') io.stdout(JSON.stringify(m.type === 'eval' || m.type === 'metrics' ? { type: m.type, ...m.row } : m) + '\n');
      return;
    }
    switch (m.type) {
      case 'progress':
        totalSteps = m.totalSteps;
        if (io.isTTY) {
          io.stdout('\r\x1b[2K' + progressBar(m));
          barShown = true;
        }
        break;
      case 'metrics':
        if (!io.isTTY) print(metricsLine(m.row, totalSteps));
        break;
      case 'eval':
        print(evalLine(m.row));
        break;
      case 'log':
        if (m.level === 'warn') { clearBar(); io.stderr(`warning: ${m.message}\n`); } else print(m.message);
        break;
      case 'done':
      case 'error':
        clearBar();
        break;
    }
  };
  const run = startTrainer(request, onMessage, processOptions);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      print('stopping: saving a checkpoint (Ctrl-C again to kill without saving)');
      run.cancel();
    } else run.kill();
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await run.done;
    clearBar();
    return { result, evals };
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Where the child entry is: beside the bundle (dist/trainer.js), or the TypeScript source under tsx (tests, dev). */
export function trainerProcessOptions(): TrainerProcessOptions {
  const bundled = resolve(__dirname, 'trainer.js');
  if (existsSync(bundled)) return { trainerPath: bundled };
  const source = resolve(__dirname, '../../trainer/main.ts');
  if (existsSync(source)) return { trainerPath: source, execArgv: ['--import', 'tsx'] };
  throw new Error(`cannot find the trainer child (${bundled}); run \`npm run build\``);
}

export function exitCodeOf(result: RunResult): number {
  if (result.status !== 'failed') return 0;
  return result.code === 'data' ? 1 : result.code === 'usage' ? 2 : 3;
}

/** `--template T` for generate and eval: a renderer overriding the model's saved template, or undefined. */
export function templateOverride(io: CliIO, value: unknown, tokenizer: Pick<Tokenizer, 'eosToken' | 'bosToken'>): RecordRenderer | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError('--template needs a value: a preset, a .jinja, tokenizer_config.json[#name] or a model folder');
  try {
    return createRenderer(resolveSavedTemplate(value, tokenizer, io.cwd).spec);
  } catch (e) {
    // like a bad flag: a template that is missing (exit 2) or does not compile (exit 1, the file's fault)
    if (e instanceof TemplateRefError) throw new UsageError(`--template ${e.message}`);
    if (e instanceof TemplateError) throw new InputError(e.message);
    throw e;
  }
}
