// `instruct-studio synth`: new instruction records from a seed file, Self-Instruct style (src/trainer/synth.ts),
// written to a new file that is never an existing one; the report counts what was kept and why the rest was dropped.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError, UsageError } from '../args';
import type { CliCommand, CliIO } from '../command';
import { loadDatasetFile } from '../../core/dataset';
import { DROP_REASONS, seedTask, type SeedTask } from '../../core/synth';
import { loadNamedModel } from '../../trainer/loadModel';
import { BUILTIN_PRETRAINED, BuiltinModelError, isBuiltinModel } from '../../trainer/builtinModel';
import { CheckpointError } from '../../trainer/checkpoint';
import { ModelDirError } from '../../trainer/modelDir';
import { synthesize, DEFAULT_SYNTH_OPTIONS, type SynthResult } from '../../trainer/synth';
import type { SynthLine } from '../../shared/protocol/synth';
import { positiveInt } from './eval';
import { requireFile } from './trainSupport';

export const synthCommand: CliCommand = {
  name: 'synth',
  summary: 'propose new instruction records from seed tasks with a model (Self-Instruct), filtered, into a new file',
  usage: '--seed FILE -n N -o OUT [--model tiny|scratch|DIR] [--temperature T] [--top-p P] [--seed-rng S] [--max-rouge 0.7] [--examples K] [--max-new-tokens N] [--max-proposals N] [--max-tokens N] [--json]',
  flags: {
    seed: { type: 'string', description: 'the seed tasks: instruction records (alpaca, single-turn chat, prompt/completion)', valueName: 'FILE' },
    n: { type: 'number', alias: 'n', description: 'how many records to keep', valueName: 'N' },
    out: { type: 'string', alias: 'o', description: 'the new dataset (must not exist)', valueName: 'OUT' },
    model: { type: 'string', description: 'tiny (the built-in pre-trained base model, the default), scratch (random weights) or a model, checkpoint or run folder', valueName: 'tiny|scratch|DIR' },
    temperature: { type: 'number', description: `sampling temperature (default ${DEFAULT_SYNTH_OPTIONS.temperature})`, valueName: 'T' },
    'top-p': { type: 'number', description: `nucleus sampling mass (default ${DEFAULT_SYNTH_OPTIONS.topP})`, valueName: 'P' },
    'seed-rng': { type: 'number', description: 'seed of the example draws and the sampling (default 0)', valueName: 'S' },
    'max-rouge': { type: 'number', description: 'drop instructions with a higher ROUGE-L against a seed or a kept one (default 0.7)', valueName: 'X' },
    examples: { type: 'number', description: `seed tasks shown per prompt (default ${DEFAULT_SYNTH_OPTIONS.examplesPerPrompt})`, valueName: 'K' },
    'max-new-tokens': { type: 'number', description: 'tokens per proposal (default: half the context, at most 256)', valueName: 'N' },
    'max-proposals': { type: 'number', description: 'stop after this many proposals (default 20 × N)', valueName: 'N' },
    'max-tokens': { type: 'number', description: "token budget of a record, as `validate --max-tokens` (default: the model's context length)", valueName: 'N' },
    json: { type: 'boolean', description: 'progress and the report as JSON lines' },
  },
  async run(args, io) {
    const f = args.flags;
    if (typeof f.seed !== 'string') throw new UsageError('--seed FILE is required');
    if (typeof f.out !== 'string') throw new UsageError('-o OUT is required');
    const n = positiveInt(f.n, '-n');
    if (n === undefined) throw new UsageError('-n N is required');
    const temperature = (f.temperature as number | undefined) ?? DEFAULT_SYNTH_OPTIONS.temperature;
    const topP = (f['top-p'] as number | undefined) ?? DEFAULT_SYNTH_OPTIONS.topP;
    const maxRouge = (f['max-rouge'] as number | undefined) ?? 0.7;
    if (!(temperature > 0)) throw new UsageError('--temperature must be above 0: greedy decoding proposes the same task for the same examples');
    if (!(topP > 0 && topP <= 1)) throw new UsageError('--top-p must be in (0, 1]');
    if (!(maxRouge > 0 && maxRouge <= 1)) throw new UsageError('--max-rouge must be in (0, 1]');
    const seedRng = (f['seed-rng'] as number | undefined) ?? 0;
    if (!Number.isInteger(seedRng)) throw new UsageError('--seed-rng must be a whole number');
    const seedFile = requireFile(io, f.seed, '--seed');
    const out = resolve(io.cwd, f.out);
    if (out === seedFile) throw new UsageError(`-o ${f.out}: that is the seed file; choose a new name`);
    if (existsSync(out)) throw new InputError(`${f.out}: already exists; synth never overwrites a file, choose a new name`);
    const seeds = await loadSeeds(seedFile, io);

    let model;
    try {
      // The built-in base model by default, as `train`: a seed file and a count are enough to try it.
      const name = typeof f.model !== 'string' ? BUILTIN_PRETRAINED : isBuiltinModel(f.model) ? f.model : resolve(io.cwd, f.model);
      model = await loadNamedModel(name, { seed: seedRng });
    } catch (e) {
      if (e instanceof ModelDirError || e instanceof CheckpointError || e instanceof BuiltinModelError) throw new InputError(e.message);
      throw e;
    }
    let cancelled = false;
    const onSignal = () => { cancelled = true; };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    let result: SynthResult;
    try {
      result = await synthesize(model, seeds, {
        n, temperature, topP, seed: seedRng,
        examplesPerPrompt: positiveInt(f.examples, '--examples'),
        maxNewTokens: positiveInt(f['max-new-tokens'], '--max-new-tokens') ?? Math.min(256, Math.floor(model.contextLength / 2)),
        maxProposals: positiveInt(f['max-proposals'], '--max-proposals'),
        filter: { maxRougeL: maxRouge, ...(f['max-tokens'] !== undefined ? { maxTokens: positiveInt(f['max-tokens'], '--max-tokens') } : {}) },
      }, {
        shouldStop: () => cancelled,
        onProgress: (p) => {
          if (f.json) io.stdout(JSON.stringify({ type: 'progress', n, ...p } satisfies SynthLine) + '\n');
          else io.stderr(`${p.proposals} proposals, ${p.kept}/${n} kept\n`);
        },
      });
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await model.engine.dispose();
    }
    // Written even when stopped early: what was kept is the work done; nothing is written when nothing survived.
    if (result.records.length) {
      await writeFile(out, result.records.map((r) => JSON.stringify(r)).join('\n') + '\n', { flag: 'wx' });
    }
    const written = result.records.length ? out : null;
    if (f.json) io.stdout(JSON.stringify({ type: 'done', out: written, seedFile, seeds: seeds.length, model: model.dir, ...summary(result) } satisfies SynthLine) + '\n');
    else io.stdout(report(result, seeds.length, n, written, f.out));
    return result.records.length ? 0 : 1;
  },
};

/** Seed tasks of the file: refused when it has errors (as training refuses them); records that cannot be seeds are named. */
async function loadSeeds(file: string, io: CliIO): Promise<SeedTask[]> {
  const loaded = await loadDatasetFile(file, { nearDuplicates: false });
  const errors = loaded.result.problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    const shown = errors.slice(0, 5).map((p) => `  ${file}:${p.line}:${p.column} ${p.code} ${p.message}`);
    throw new InputError([`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'} in the seed file; fix ${errors.length === 1 ? 'it' : 'them'} first:`, ...shown, ...(errors.length > 5 ? [`  … ${errors.length - 5} more`] : [])].join('\n'));
  }
  const seeds: SeedTask[] = [];
  const skipped: string[] = [];
  for (const r of loaded.records) {
    const s = seedTask(r.value, r.line);
    if ('reason' in s) skipped.push(`${file}:${s.line}: ${s.reason}`);
    else seeds.push(s);
  }
  if (!seeds.length) throw new InputError(`${file}: no record can be a seed task (instruction records with a response are needed)${skipped.length ? `:\n  ${skipped.slice(0, 5).join('\n  ')}` : ''}`);
  if (skipped.length) io.stderr(`${skipped.length} record${skipped.length === 1 ? '' : 's'} not used as seeds:\n  ${skipped.slice(0, 5).join('\n  ')}${skipped.length > 5 ? '\n  …' : ''}\n`);
  return seeds;
}

function summary(r: SynthResult): Omit<Extract<SynthLine, { type: 'done' }>, 'type' | 'out' | 'seedFile' | 'seeds' | 'model'> {
  return {
    proposals: r.proposals, kept: r.kept, dropped: r.dropped, invalidCodes: r.invalidCodes, stoppedBy: r.stoppedBy,
    droppedSamples: r.droppedSamples,
    settings: { temperature: r.options.temperature, topP: r.options.topP, seed: r.options.seed, examplesPerPrompt: r.options.examplesPerPrompt, maxNewTokens: r.options.maxNewTokens, maxProposals: r.options.maxProposals, maxRougeL: r.options.filter.maxRougeL },
  };
}

function report(r: SynthResult, seeds: number, n: number, written: string | null, outName: string): string {
  const lines = [
    `${r.proposals} proposals from ${seeds} seed tasks: ${r.kept} kept, ${r.proposals - r.kept} dropped`,
    ...DROP_REASONS.filter((k) => r.dropped[k]).map((k) => `  ${k.padEnd(26)} ${r.dropped[k]}`),
  ];
  const codes = Object.entries(r.invalidCodes);
  if (codes.length) lines.push(`  validator problems: ${codes.map(([c, k]) => `${c} ×${k}`).join(', ')}`);
  if (r.stoppedBy === 'max-proposals') lines.push(`stopped after ${r.options.maxProposals} proposals with ${r.kept} of ${n} kept (raise --max-proposals, or try another model or temperature)`);
  if (r.stoppedBy === 'cancelled') lines.push(`stopped by a signal with ${r.kept} of ${n} kept`);
  lines.push(written ? `wrote ${r.kept} records to ${outName} (each with "source": "synth" and the seed lines that prompted it); review them before training` : 'nothing was kept, so nothing was written');
  return lines.join('\n') + '\n';
}
