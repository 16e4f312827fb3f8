// The evaluation runner behind `instruct-studio eval` and "Evaluate Model": the tuned model (and optionally the base
// model) over the eval records and the general-text probe, scored by the metrics core. Models are loaded one at a
// time and disposed before the next, so memory holds one model.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { aggregate, compareRuns, scoreRecord, validateChecks, type BootstrapOptions, type EvalRecord, type NllCount } from '../../core/metrics';
import type { RecordRenderer } from '../../core/template/types';
import { rendererOf } from '../template';
import type { EvalReport, GenerationLine, RecordScoreLine } from '../../shared/protocol/evaluation';
import { createEngine } from '../engine';
import { DEFAULT_CONFIG } from '../config';
import { loadCheckpoint } from '../checkpoint';
import { loadModel, type LoadedModel } from '../loadModel';
import { DataError, expectedResponse, loadRecords, NO_TASK, promptRecord, type Item } from '../prepare';
import { readRunInfo } from '../runFolder';
import { EvaluationCancelled, exampleNll, scoreModel, type ModelOutput } from './scoreModel';
import type { Example } from '../data';
import { generalTextChunks } from './generalText';
import { runFolderOf } from './saveReport';
import { winRate } from './winRate';

export class EvalUsageError extends Error {}

export interface EvalRunOptions {
  /** Absolute paths. */
  model: string;
  data: string;
  unseen?: string;
  general?: string;
  /** `tiny` or an absolute model folder. */
  base?: string;
  maxNewTokens: number;
  /** Evaluate the first N records of each file. */
  limit?: number;
  skipInvalid: boolean;
  batchSize?: number;
  /** Most general-text chunks scored (default 32). */
  generalChunks?: number;
  bootstrap?: BootstrapOptions | false;
}

export interface EvalRunHooks {
  /** Overrides the template the model's checkpoint saved (itself the default renderer when it saved none). */
  renderer?: RecordRenderer;
  shouldStop?: () => boolean;
  /** `phase` names what is running ("tuned model", "base model"); `done` of `total` units across all phases. */
  onProgress?: (phase: string, done: number, total: number) => void;
  log?: (message: string) => void;
  threads?: number;
}

export interface EvalRunOutput {
  report: EvalReport;
  generations: GenerationLine[];
}

interface ModelPass {
  outputs: ModelOutput[];
  general: NllCount[] | null;
}

export async function runEvaluation(opts: EvalRunOptions, given: EvalRunHooks): Promise<EvalRunOutput> {
  const base = opts.base ?? (opts.general ? baseFromRun(opts.model) : undefined);
  const tuned = await loadModel(opts.model, given.threads);
  // Prompts rendered as the model was trained to see them; the base model is scored on the same prompts.
  const hooks = { ...given, renderer: given.renderer ?? rendererOf(tuned.template) };
  let items: Item[] = [];
  let chunks: Example[] = [];
  let done = 0;
  let total = 0;
  const pass = async (model: LoadedModel, phase: string): Promise<ModelPass> => {
    const start = done;
    const contextLength = Math.min(model.contextLength, tuned.contextLength);
    const progress = (n: number) => { done = start + n; hooks.onProgress?.(phase, done, total); };
    const ctx = { engine: model.engine, tokenizer: tuned.tokenizer, renderer: hooks.renderer, contextLength, shouldStop: hooks.shouldStop, onProgress: progress };
    const outputs = await scoreModel(ctx, items, { batchSize: opts.batchSize ?? 8, maxNewTokens: opts.maxNewTokens });
    if (!opts.general) return { outputs, general: null };
    const general: NllCount[] = [];
    for (const ex of chunks) {
      if (hooks.shouldStop?.()) throw new EvaluationCancelled();
      general.push(await exampleNll(model.engine, ex, contextLength, tuned.tokenizer.padId));
      progress(2 * items.length + general.length);
    }
    return { outputs, general };
  };

  let tunedPass: ModelPass;
  try {
    items = await loadItems(opts.data, false, tuned, opts, hooks);
    if (opts.unseen) items.push(...await loadItems(opts.unseen, true, tuned, opts, hooks));
    if (opts.general) {
      const text = await readFile(opts.general, 'utf8').catch((e: Error) => { throw new EvalUsageError(`--general ${opts.general}: ${e.message}`); });
      chunks = generalTextChunks(opts.general, text, tuned.tokenizer, tuned.contextLength, opts.generalChunks ?? 32);
    }
    total = (2 * items.length + chunks.length) * (base ? 2 : 1);
    hooks.log?.(`evaluating ${tuned.dir} on ${items.length} records${chunks.length ? ` and ${chunks.length} general-text chunks` : ''}`);
    tunedPass = await pass(tuned, 'tuned model');
  } finally {
    await tuned.engine.dispose();
  }

  let basePass: ModelPass | null = null;
  if (base) {
    const baseModel = await loadBase(base, tuned, hooks.threads);
    try {
      hooks.log?.(`evaluating the base model (${base})`);
      basePass = await pass(baseModel, 'base model');
    } finally {
      await baseModel.engine.dispose();
    }
  }

  const tunedRecords = evalRecords(items, tunedPass.outputs);
  const baseRecords = basePass && evalRecords(items, basePass.outputs);
  const forgetting = basePass?.general && tunedPass.general ? { before: basePass.general, after: tunedPass.general } : undefined;
  const results = aggregate(tunedRecords, { bootstrap: opts.bootstrap, forgetting });
  const report: EvalReport = {
    ...results,
    base_results: baseRecords && aggregate(baseRecords, { bootstrap: opts.bootstrap }),
    comparison: baseRecords && compareRuns(baseRecords, tunedRecords, { bootstrap: opts.bootstrap }),
    ...(baseRecords ? { win_rate: winRate(baseRecords, tunedRecords) } : {}),
    meta: {
      created: new Date().toISOString(), model: tuned.dir, base: base ?? null, data: opts.data, unseen_data: opts.unseen ?? null,
      general: opts.general ?? null, generations: null, max_new_tokens: opts.maxNewTokens,
    },
  };
  const generations = items.map((it, i): GenerationLine => ({
    file: it.file, line: it.line, task: it.task, unseen: it.unseen,
    prompt: hooks.renderer.renderPrompt(promptRecord(it.record)),
    expected: expectedResponse(it.record) ?? '',
    base: basePass ? basePass.outputs[i].prediction : null,
    tuned: tunedPass.outputs[i].prediction,
    scores: { tuned: recordScoreLine(tunedRecords[i]), base: baseRecords ? recordScoreLine(baseRecords[i]) : null },
  }));
  return { report, generations };
}

async function loadItems(file: string, unseen: boolean, model: LoadedModel, opts: EvalRunOptions, hooks: EvalRunHooks & { renderer: RecordRenderer }): Promise<Item[]> {
  const loaded = await loadRecords(file, model.tokenizer, hooks.renderer, { skipInvalid: opts.skipInvalid, includeRejected: true, maxTokens: model.contextLength + 1 });
  const { items } = loaded;
  if (loaded.skippedInvalid) hooks.log?.(`${file}: skipped ${loaded.skippedInvalid} invalid record(s)`);
  // Left out rather than scored on a cut-off reference: say so, or the record count would silently shrink.
  if (loaded.tooLong) hooks.log?.(`${file}: left out ${loaded.tooLong} record(s) with no response within the model's context (${model.contextLength} tokens)`);
  const kept = opts.limit ? items.slice(0, opts.limit) : items;
  for (const it of kept) {
    if (unseen) it.unseen = true;
    // The metrics core would name `records[i]`; the user needs the file and line.
    if (it.record.checks !== undefined) {
      const problems = validateChecks(it.record.checks);
      if (problems.length) throw new DataError(`${file}:${it.line}: field ${problems.map((p) => p.message).join('; ')}`);
    }
  }
  return kept;
}

/** The base of a run folder's training (its run.json `model`), for the forgetting probe when no --base is given. */
export function baseFromRun(model: string): string {
  const run = runFolderOf(model);
  const info = run ? readRunInfo(run) : null;
  if (!info?.model) throw new EvalUsageError('--general needs the model before tuning: pass --base DIR|tiny (or --model a run folder, whose run.json names it)');
  return info.model;
}

export async function loadBase(base: string, tuned: LoadedModel, threads?: number): Promise<LoadedModel> {
  if (base === 'tiny') {
    // The built-in model starts from random weights seeded by the run's seed: the same seed gives the same start.
    const ck = loadCheckpoint(tuned.dir, { withOptimizer: false });
    const run = runFolderOf(tuned.dir);
    const runSeed = run ? readRunInfo(run)?.config.seed : undefined;
    const seed = typeof runSeed === 'number' ? runSeed : ck.state?.config.seed ?? DEFAULT_CONFIG.seed;
    const engine = await createEngine({ config: ck.model, seed, threads });
    return { dir: 'tiny', engine, tokenizer: tuned.tokenizer, contextLength: ck.model.contextLength, template: null };
  }
  const model = await loadModel(base, threads);
  if (model.tokenizer.name !== tuned.tokenizer.name || model.tokenizer.vocabSize !== tuned.tokenizer.vocabSize) {
    await model.engine.dispose();
    throw new EvalUsageError(`--base ${base}: its tokenizer (${model.tokenizer.name}, ${model.tokenizer.vocabSize} tokens) differs from the model's (${tuned.tokenizer.name}, ${tuned.tokenizer.vocabSize}); compare models that share a tokenizer`);
  }
  return model;
}

function evalRecords(items: readonly Item[], outputs: readonly ModelOutput[]): EvalRecord[] {
  return items.map((it, i) => {
    const r: EvalRecord = { id: `${basename(it.file)}:${it.line}`, unseen: it.unseen, prediction: outputs[i].prediction };
    if (it.task !== NO_TASK) r.task = it.task;
    const ref = expectedResponse(it.record);
    if (ref !== null) r.reference = ref;
    if (outputs[i].tokens > 0) { r.nll = outputs[i].nll; r.tokens = outputs[i].tokens; }
    if (Array.isArray(it.record.checks)) r.checks = it.record.checks as EvalRecord['checks'];
    return r;
  });
}

function recordScoreLine(record: EvalRecord): RecordScoreLine {
  const s = scoreRecord(record);
  const g = s.generation ?? { exact_match: 0, token_f1: 0, rouge_l: 0, bleu: 0 };
  return { ...g, loss: s.loss ? s.loss.mean : null, ifeval_strict: s.checks ? s.checks.prompt_strict : null };
}
