// The training loop, top to bottom: run folder → config → model → data → engine → loop (log, eval, checkpoint,
// cancel, time budget) → final eval and checkpoint. Everything touching TensorFlow.js is behind the Engine.
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { ByteTokenizer } from '../core/tokenizer/byteTokenizer';
import type { RecordRenderer } from '../core/template/types';
import { createRenderer } from '../core/template';
import { resolveSavedTemplate, type SavedTemplate } from './template';
import type { ChildToParent, EvalRow, MetricsRow, TrainRequest } from '../shared/protocol/trainer';
import type { Batch, Engine, ModelConfig, NamedArrays, OptimizerSettings } from './engine/types';
import { gptConfigOf, resolveConfig, type TrainConfig } from './config';
import { existingCheckpointDir, loadCheckpoint, saveCheckpoint, type Checkpoint, type TrainingState } from './checkpoint';
import { batchLength, groupByTask, layoutRows, makeBatch, pairsOf, type Example } from './data';
import { evaluate, type EvalResult } from './evaluate';
import { holdOut, loadRecords, type Item } from './prepare';
import { appendMetrics, readRunInfo, runPaths, truncateMetrics, writeRunInfo, type RunInfo } from './runFolder';
import { TaskSampler } from './sampler';
import { learningRate } from './schedule';
import { resolveModelDir } from './modelDir';
import type { LoraOptions } from './engine/lora';
import { describeEstimate, estimateMemory } from './memoryEstimate';
import { adapterBaseFolder, adapterSettingsFor, loraOptionsFor, loraSummary, saveLoraCheckpoint } from './loraRun';
import { builtinModelDir } from './builtinModel';
import { loadPretrainItems } from './pretrainData';
import { trainDpo } from './dpo/train';

export type EngineFactory = (opts: { config: ModelConfig; seed: number; params?: NamedArrays; threads?: number; lora?: LoraOptions }) => Engine | Promise<Engine>;

export interface TrainHooks {
  emit(msg: ChildToParent): void;
  /** True once a cancel (message or signal) arrived: the loop checkpoints and stops. */
  stopRequested(): boolean;
  createEngine: EngineFactory;
  renderer: RecordRenderer;
  /** Seconds since an arbitrary origin (injectable so the loop is testable). */
  now?: () => number;
}

export interface TrainOutcome {
  status: 'finished' | 'stopped';
  step: number;
  reason: string;
  bestEvalLoss: number | null;
}

export class RunFolderError extends Error {}

/** Steps measured before a time-budgeted run fixes its total steps (and so its cosine schedule). */
const CALIBRATION_STEPS = 10;

export async function train(req: TrainRequest, hooks: TrainHooks): Promise<TrainOutcome> {
  if (req.stage === 'dpo') return trainDpo(req, hooks);
  const now = hooks.now ?? (() => performance.now() / 1000);
  const log = (message: string, level: 'info' | 'warn' = 'info') => hooks.emit({ type: 'log', level, message });
  const t0 = now();

  // ---- run folder: a new run, or the checkpoint of an unfinished one -------------------------------------------
  const paths = runPaths(req.out);
  const previousRun = readRunInfo(req.out);
  if (previousRun?.status === 'finished') throw new RunFolderError(`${req.out} holds a finished run; choose another --out (nothing was overwritten)`);
  const ckDir = existingCheckpointDir(paths.checkpoint);
  if (previousRun && (previousRun.stage ?? 'sft') !== (req.stage ?? 'sft')) throw new RunFolderError(`${req.out} holds a ${previousRun.stage} run; resume it with --stage ${previousRun.stage} or choose another --out (nothing was overwritten)`);
  if ((previousRun || ckDir) && !req.resume) throw new RunFolderError(`${req.out} already holds a run; resume it or choose another --out (nothing was overwritten)`);
  if (previousRun?.status === 'running' && previousRun.pid && previousRun.pid !== process.pid && processAlive(previousRun.pid)) {
    throw new RunFolderError(`${req.out} is in use by a running trainer (pid ${previousRun.pid})`);
  }
  const resumed: Checkpoint | null = req.resume && ckDir ? loadCheckpoint(ckDir) : null;
  if (resumed && !resumed.state) throw new RunFolderError(`${ckDir}: holds weights only, no training state to resume from`);
  mkdirSync(req.out, { recursive: true });

  // ---- config: the saved one when resuming (so the run continues exactly), else preset + overrides --------------
  let cfg: TrainConfig;
  if (resumed?.state) {
    cfg = { ...resumed.state.config };
    // A time budget belongs to this invocation, not to the run; everything else must stay as saved to resume exactly.
    if (typeof req.overrides.maxMinutes === 'number') cfg.maxMinutes = req.overrides.maxMinutes;
    const ignored = Object.entries(req.overrides).filter(([k, v]) => k !== 'maxMinutes' && k !== 'epochs' && JSON.stringify((cfg as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v));
    if (ignored.length) log(`resuming with the run's saved settings; ignored: ${ignored.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`, 'warn');
  } else {
    cfg = resolveConfig(req.overrides);
  }

  // ---- model: the built-in GPT from random weights (`scratch`), the shipped pre-trained one (`tiny`), or a folder --
  let base: Checkpoint | null = null;
  const builtin = resumed ? null : builtinModelDir(req.model);
  const baseDir = builtin === null ? null : resolveModelDir(builtin);
  if (baseDir) base = loadCheckpoint(baseDir, { withOptimizer: false });
  const tokenizer = resumed?.tokenizer ?? base?.tokenizer ?? new ByteTokenizer();
  const model: ModelConfig = resumed?.model ?? base?.model ?? gptConfigOf(cfg, tokenizer.vocabSize);
  if (base || resumed) cfg = { ...cfg, dModel: model.dModel, nLayers: model.nLayers, nHeads: model.nHeads, contextLength: Math.min(cfg.contextLength, model.contextLength) };
  const seqLen = cfg.contextLength;
  // A run from a Hugging Face model checkpoints as a Hugging Face folder (its config.json and tokenizer files).
  const source = resumed?.source ?? base?.source ?? null;

  // ---- template: the one the run was started with when resuming, else the requested one, else the base model's ----
  let template: SavedTemplate | null;
  if (resumed) {
    template = resumed.template ?? null;
    if (req.template !== undefined && req.template !== template?.ref) {
      throw new RunFolderError(`${ckDir}: the run renders with template ${JSON.stringify(template?.ref ?? 'default')}; a resumed run keeps it (asked for ${JSON.stringify(req.template)})`);
    }
  } else {
    template = req.template !== undefined ? resolveSavedTemplate(req.template, tokenizer) : base?.template ?? null;
  }
  const renderer = template ? createRenderer(template.spec) : hooks.renderer;
  if (template) log(`template: ${template.ref}`);

  // ---- data: instruction records (loss on responses), or raw text packed into rows (pretrain: loss on every token) --
  let trainItems: Item[];
  let evalItems: Item[] = [];
  if (req.stage === 'pretrain') {
    const corpus = loadPretrainItems(req.data, req.eval, req.evalFraction ?? cfg.evalFraction, cfg.seed, tokenizer, seqLen);
    trainItems = corpus.train;
    evalItems = corpus.eval;
    log(`pretraining corpus: ${corpus.documents.toLocaleString('en')} documents, ${corpus.tokens.toLocaleString('en')} tokens in rows of ${seqLen}`);
  } else {
    const loadOpts = { skipInvalid: req.skipInvalid, includeRejected: req.includeRejected, maxTokens: seqLen + 1 };
    const trainSet = await loadRecords(req.data, tokenizer, renderer, loadOpts);
    trainItems = trainSet.items;
    if (req.eval) {
      evalItems = (await loadRecords(req.eval, tokenizer, renderer, { ...loadOpts, includeRejected: true })).items;
    } else {
      const split = holdOut(trainItems, req.evalFraction ?? cfg.evalFraction, cfg.seed);
      trainItems = split.train;
      evalItems = split.held;
    }
    if (trainSet.skippedInvalid) log(`skipped ${trainSet.skippedInvalid} invalid record${trainSet.skippedInvalid === 1 ? '' : 's'} of ${req.data}`, 'warn');
    if (trainSet.excludedRejected) log(`left out ${trainSet.excludedRejected} record(s) whose review is "rejected" (--include-rejected trains on them)`);
    if (trainSet.truncated) log(`${trainSet.truncated} record(s) are longer than the context (${seqLen} tokens) and were cut`, 'warn');
    if (trainSet.tooLong) log(`${trainSet.tooLong} record(s) have no response within the context (${seqLen} tokens) and were left out`, 'warn');
  }
  const examples: Example[] = trainItems.map((it) => it.example);
  const byTask = new Map<string, number[]>();
  examples.forEach((ex, i) => {
    // Pushed, not copied: a pretraining corpus is tens of thousands of rows in one task.
    const ix = byTask.get(ex.task);
    if (ix) ix.push(i);
    else byTask.set(ex.task, [i]);
  });
  const multiTask = byTask.size > 1;
  log(`data: ${examples.length} training examples${multiTask ? ` in ${byTask.size} tasks (${[...byTask].map(([t, ix]) => `${t} ${ix.length}`).join(', ')})` : ''}, ${evalItems.length} eval`);

  // ---- engine ----------------------------------------------------------------------------------------------------
  // LoRA: the engine starts from the base weights (a resumed adapter folder names them) and trains adapters only.
  const lora = cfg.lora ? loraOptionsFor(cfg, model) : undefined;
  // Said before the engine allocates anything, so a run that will not fit is flagged while it can still be stopped.
  const plannedThreads = cfg.threads || Math.min(2, availableParallelism());
  const estimate = describeEstimate(estimateMemory({ config: model, batchSize: cfg.batchSize, seqLen, threads: plannedThreads, lora }), plannedThreads, freemem());
  log(estimate.message, estimate.warn ? 'warn' : 'info');
  const engine = await hooks.createEngine({ config: model, seed: cfg.seed, params: resumed?.adapter?.base.params ?? base?.params, threads: cfg.threads || undefined, lora });
  if (resumed?.adapter) await engine.setAdapterState(resumed.adapter.adapter);
  else if (resumed) await engine.setState({ params: resumed.params, optimizer: resumed.optimizer });
  // A base that is itself an adapter folder has no weights file for PEFT to name: save it merged, as a random base is.
  const adapterBase = lora ? resumed?.adapter?.baseDir ?? await adapterBaseFolder(engine, base?.adapter ? null : baseDir, req.out, model, tokenizer, template) : null;
  const adapterSettings = lora && adapterBase ? adapterSettingsFor(lora, adapterBase, model) : null;
  log(`backend: ${engine.backend.name} on ${engine.backend.device} (${engine.backend.reason})`);
  log(`model: ${model.nLayers} layer${model.nLayers === 1 ? '' : 's'}, d_model ${model.dModel}, ${model.nHeads} heads, context ${model.contextLength}, ${engine.parameterCount.toLocaleString('en')} parameters`);
  if (lora) log(loraSummary(lora, engine.trainableParameterCount, engine.parameterCount));

  // ---- training state ----------------------------------------------------------------------------------------------
  const rowsPerStep = cfg.batchSize * cfg.gradAccum;
  const sampler = resumed?.state ? TaskSampler.restore(resumed.state.sampler) : TaskSampler.create(byTask, cfg.taskWeights, cfg.seed);
  let step = resumed?.state?.step ?? 0;
  let totalSteps = resumed?.state?.totalSteps ?? plannedSteps(cfg, examples, seqLen, rowsPerStep);
  let bestEvalLoss = resumed?.state?.bestEvalLoss ?? null;
  let bestStep = resumed?.state?.bestStep ?? null;
  let evalsWithoutImprovement = resumed?.state?.evalsWithoutImprovement ?? 0;
  let tokensSeen = resumed?.state?.tokensSeen ?? 0;
  const elapsedBefore = resumed?.state?.elapsedSeconds ?? 0;
  const elapsed = () => elapsedBefore + (now() - t0);
  const budgetSeconds = cfg.maxMinutes > 0 ? cfg.maxMinutes * 60 : Infinity;
  // Rows past the checkpoint are trained again (or, with no checkpoint, the run starts over): keep each step once.
  truncateMetrics(req.out, resumed ? step : -1);
  if (resumed) {
    log(`resumed from ${ckDir} at step ${step} of ${totalSteps || '?'}`);
  }
  const startedAt = previousRun?.started_at ?? new Date().toISOString();
  const runInfo = (patch: Partial<RunInfo>): RunInfo => ({
    status: 'running', dataset: req.data, eval: req.eval ?? null, model: req.model, ...(req.stage ? { stage: req.stage } : {}), config: { ...cfg, ...(template ? { template: template.ref } : {}) }, backend: engine.backend,
    parameters: engine.parameterCount, started_at: startedAt, updated_at: '', finished_at: null, step, total_steps: totalSteps,
    best_eval_loss: bestEvalLoss, best_step: bestStep, reason: null, pid: process.pid, ...patch,
  });
  writeRunInfo(req.out, runInfo({}));

  const saveLatest = async () => {
    const state: Omit<TrainingState, 'files' | 'optimizer'> = {
      step, totalSteps, config: cfg, sampler: sampler.getState(), bestEvalLoss, bestStep, evalsWithoutImprovement, elapsedSeconds: elapsed(), tokensSeen,
    };
    if (adapterSettings) return saveLoraCheckpoint(paths.checkpoint, engine, adapterSettings, state, template);
    const { params, optimizer } = await engine.getState();
    saveCheckpoint(paths.checkpoint, { model, tokenizer, params, optimizer, state, template, source });
  };

  const evalSettings = { seqLen, batchSize: cfg.batchSize, packing: cfg.packing, exactMatchSamples: cfg.exactMatchSamples, maxNewTokens: cfg.maxNewTokens };
  /** Evaluates, logs the row, keeps the best weights; returns true when early stopping says stop. */
  const runEval = async (): Promise<boolean> => {
    if (!evalItems.length) return false;
    const r: EvalResult = await evaluate({ engine, tokenizer, renderer, shouldStop: hooks.stopRequested }, evalItems, evalSettings);
    if (hooks.stopRequested()) return false;
    const row: EvalRow = { split: 'eval', step, epoch: sampler.consumed / examples.length, elapsed_s: round(elapsed(), 3), loss: r.loss, exact_match: r.exact_match, per_task: multiTask ? r.per_task : undefined, seen: r.seen, unseen: r.unseen };
    appendMetrics(req.out, row);
    hooks.emit({ type: 'eval', row, samples: r.samples });
    if (bestEvalLoss === null || r.loss < bestEvalLoss) {
      bestEvalLoss = r.loss;
      bestStep = step;
      evalsWithoutImprovement = 0;
      if (adapterSettings) await saveLoraCheckpoint(paths.best, engine, adapterSettings, null, template);
      else saveCheckpoint(paths.best, { model, tokenizer, params: (await engine.getState()).params, optimizer: null, state: null, template, source });
    } else {
      evalsWithoutImprovement++;
    }
    return cfg.patience > 0 && evalsWithoutImprovement >= cfg.patience;
  };

  // ---- the loop ----------------------------------------------------------------------------------------------------
  const opt: OptimizerSettings = { lr: cfg.lr, beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weightDecay: cfg.weightDecay, clipNorm: cfg.clipNorm };
  let status: TrainOutcome['status'] = 'finished';
  let reason = 'completed all steps';
  let lastEvalStep = resumed ? step : -1;
  let window = { t: now(), tokens: 0 };
  let calibrationStart: number | null = null;
  let lastLoss = NaN;
  try {
    // The first evaluation measures the model before any training: the "before" of every comparison.
    if (step === 0) await runEval();
    lastEvalStep = step;
    // The time budget is for training: it starts after the "before" evaluation.
    const budgetStart = now();
    const budgetLeft = () => budgetSeconds - (now() - budgetStart);
    window = { t: budgetStart, tokens: 0 };
    const firstStep = step;
    while (totalSteps === 0 || step < totalSteps) {
      // A compute step may finish without ever yielding to the event loop; without this, cancel messages and
      // signals would wait for the end of training.
      await yieldToEventLoop();
      if (hooks.stopRequested()) { status = 'stopped'; reason = 'cancelled'; break; }
      if (budgetLeft() <= 0) { reason = `time limit of ${cfg.maxMinutes} min reached`; break; }

      // A time-budgeted run without a step count measures its speed, then fixes the schedule's length.
      // (The first step of a session is skipped: it includes one-time start-up work.)
      if (totalSteps === 0 && step === firstStep + 1) calibrationStart = now();
      if (totalSteps === 0 && calibrationStart !== null && step === firstStep + 1 + CALIBRATION_STEPS) {
        const perStep = (now() - calibrationStart) / CALIBRATION_STEPS;
        totalSteps = Math.max(step + 1, step + Math.floor(budgetLeft() / perStep));
        log(`measured ${perStep.toFixed(3)} s/step: planning ${totalSteps} steps for the ${cfg.maxMinutes}-minute budget`);
      }

      const lr = learningRate(step, { lr: cfg.lr, minLr: cfg.minLr, warmupSteps: cfg.warmupSteps, totalSteps: totalSteps || Number.MAX_SAFE_INTEGER });
      const stepExamples = takeStepExamples(sampler, examples, seqLen, cfg.packing, rowsPerStep);
      const micro = microBatches(stepExamples, seqLen, cfg, tokenizer.padId);
      const logNow = (step + 1) % cfg.logEvery === 0 || step === 0 || step + 1 === totalSteps;
      // Per-task loss of this step's examples, before the update: the same quantity as the step loss, split by task.
      const perTask = logNow && multiTask ? await perTaskLoss(engine, stepExamples, seqLen, cfg, tokenizer.padId) : undefined;
      const result = await engine.trainStep(micro, { ...opt, lr });
      if (!Number.isFinite(result.loss)) throw new Error(`the loss became ${result.loss} at step ${step + 1} (try a lower --lr)`);
      step++;
      tokensSeen += result.tokens;
      window.tokens += result.tokens;
      lastLoss = result.loss;

      const tokensPerSecond = window.tokens / Math.max(1e-9, now() - window.t);
      const remaining = totalSteps ? totalSteps - step : null;
      const perStepSeconds = (now() - budgetStart) / Math.max(1, step - firstStep);
      hooks.emit({
        type: 'progress', step, totalSteps, loss: result.loss, tokensPerSecond,
        etaSeconds: remaining === null ? null : Math.min(remaining * perStepSeconds, Math.max(0, budgetLeft())), elapsedSeconds: elapsed(),
      });
      if (logNow) {
        const row: MetricsRow = { step, epoch: round(sampler.consumed / examples.length, 4), loss: result.loss, lr, grad_norm: result.gradNorm, tokens_per_second: round(tokensPerSecond, 1), elapsed_s: round(elapsed(), 3), per_task: perTask };
        appendMetrics(req.out, row);
        hooks.emit({ type: 'metrics', row });
        window = { t: now(), tokens: 0 };
      }

      if (cfg.evalEvery > 0 && step % cfg.evalEvery === 0) {
        lastEvalStep = step;
        if (await runEval()) { reason = `early stopping: eval loss did not improve in ${cfg.patience} evaluations`; break; }
      }
      if (step % cfg.checkpointEvery === 0) {
        await saveLatest();
        writeRunInfo(req.out, runInfo({}));
      }
    }
    if (status === 'finished' && lastEvalStep !== step && !hooks.stopRequested()) await runEval();
    await saveLatest();
    writeRunInfo(req.out, runInfo({ status, reason, finished_at: new Date().toISOString(), pid: null }));
    log(`${status} at step ${step}: ${reason}; last loss ${Number.isFinite(lastLoss) ? lastLoss.toFixed(4) : 'n/a'}${bestEvalLoss !== null ? `, best eval loss ${bestEvalLoss.toFixed(4)} at step ${bestStep}` : ''}`);
    return { status, step, reason, bestEvalLoss };
  } catch (e) {
    writeRunInfo(req.out, runInfo({ status: 'failed', reason: (e as Error).message, finished_at: new Date().toISOString(), pid: null }));
    throw e;
  } finally {
    await engine.dispose();
  }
}

/** Steps from `steps`, or from `epochs` by laying the data out once; 0 = decided by the time budget. */
export function plannedSteps(cfg: TrainConfig, examples: readonly Example[], seqLen: number, rowsPerStep: number): number {
  if (cfg.steps > 0) return cfg.steps;
  if (cfg.epochs > 0) {
    const rows = layoutRows(examples, seqLen, cfg.packing).rows.length;
    return Math.max(1, Math.ceil((cfg.epochs * rows) / rowsPerStep));
  }
  return 0;
}

/** Draws examples until `rows` rows are full; the example that does not fit waits for the next step. */
export function takeStepExamples(sampler: TaskSampler, examples: readonly Example[], seqLen: number, packing: boolean, rows: number): Example[] {
  const taken: Example[] = [];
  let used = 0;
  let fill = seqLen;
  for (;;) {
    const ex = examples[sampler.peek()];
    const pairs = Math.min(pairsOf(ex), seqLen);
    if (!packing || fill + pairs > seqLen) {
      if (used === rows) break;
      used++;
      fill = 0;
    }
    taken.push(examples[sampler.take()]);
    fill += pairs;
  }
  return taken;
}

function microBatches(stepExamples: Example[], seqLen: number, cfg: TrainConfig, padId: number): Batch[] {
  const { rows } = layoutRows(stepExamples, seqLen, cfg.packing);
  const out: Batch[] = [];
  for (let i = 0; i < rows.length; i += cfg.batchSize) {
    const part = rows.slice(i, i + cfg.batchSize);
    out.push(makeBatch(part, batchLength(part, seqLen), padId));
  }
  return out;
}

async function perTaskLoss(engine: Engine, stepExamples: Example[], seqLen: number, cfg: TrainConfig, padId: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [task, group] of groupByTask(stepExamples)) {
    let sum = 0;
    let tokens = 0;
    for (const batch of microBatches(group, seqLen, cfg, padId)) {
      const r = await engine.evalLoss(batch);
      sum += r.lossSum;
      tokens += r.tokens;
    }
    if (tokens) out[task] = sum / tokens;
  }
  return out;
}

export const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function runFolderExists(out: string): boolean {
  return existsSync(runPaths(out).run) || existingCheckpointDir(runPaths(out).checkpoint) !== null;
}
