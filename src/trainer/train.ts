// The SFT and pretraining loop, top to bottom: run folder → config → model (./runSetup.ts, shared with DPO) → data →
// engine → loop (log, eval, checkpoint, cancel, time budget) → final eval and checkpoint. Everything touching
// TensorFlow.js is behind the Engine.
import { existsSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import type { RecordRenderer } from '../core/template/types';
import type { ChildToParent, EvalRow, MetricsRow, TrainRequest } from '../shared/protocol/trainer';
import type { Engine, ModelConfig, NamedArrays, OptimizerSettings } from './engine/types';
import type { TrainConfig } from './config';
import { existingCheckpointDir } from './checkpoint';
import { batchesOf, groupByTask, layoutRows, pairsOf, type Example } from './data';
import { evaluate, type EvalResult } from './evaluate';
import { holdOut, loadRecords, type Item } from './prepare';
import { appendMetrics, runPaths } from './runFolder';
import { TaskSampler } from './sampler';
import { learningRate } from './schedule';
import type { LoraOptions } from './engine/lora';
import { describeEstimate, estimateMemory } from './memoryEstimate';
import { loadPretrainItems } from './pretrainData';
import { checkpointSaver, prepareRun, restoreResumedWeights, startEngine, startRunInfo } from './runSetup';
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

// Kept importable from here: the trainer's entry point tells a refused run folder from a failed run by it.
export { RunFolderError } from './runSetup';

/**
 * A time-budgeted run measures its speed over at least this many steps, and at least this share of its budget (at
 * most that many seconds), before it fixes its total steps (and so its cosine schedule). Ten steps alone misjudged
 * the demo's speed by ~20% (their rows' lengths and the first seconds' warm-up), leaving a fifth of the budget unused.
 */
const CALIBRATION_STEPS = 10;
const CALIBRATION_BUDGET_SHARE = 0.05;
const CALIBRATION_MAX_SECONDS = 20;

/**
 * Shares of the budget at which a time-budgeted run measures its speed again, over the steps since it last planned,
 * and re-sizes its schedule: steps get faster after the first seconds (the demo's first 15 s measured 0.087 s/step,
 * its whole run 0.071), which left ~15% of the budget unused.
 */
export const REPLAN_AT = [0.25, 0.5, 0.75];

/** The total steps a run at `step` reaches in `secondsLeft` at `secondsPerStep` (at least one more). */
function stepsFitting(step: number, secondsPerStep: number, secondsLeft: number): number {
  return Math.max(step + 1, step + Math.floor(secondsLeft / secondsPerStep));
}

/** The total steps for the budget left at `recentSecondsPerStep`; the plan stands when it is within 2%. */
export function replannedSteps(step: number, totalSteps: number, recentSecondsPerStep: number, secondsLeft: number): number {
  const fresh = stepsFitting(step, recentSecondsPerStep, secondsLeft);
  return Math.abs(fresh - totalSteps) > 0.02 * totalSteps ? fresh : totalSteps;
}

/** Whether `steps` steps taking `seconds` measure a run's speed well enough to plan a `budgetSeconds` budget. */
export function speedMeasured(steps: number, seconds: number, budgetSeconds: number): boolean {
  return steps >= CALIBRATION_STEPS && seconds >= Math.min(CALIBRATION_MAX_SECONDS, CALIBRATION_BUDGET_SHARE * budgetSeconds);
}

export async function train(req: TrainRequest, hooks: TrainHooks): Promise<TrainOutcome> {
  if (req.stage === 'dpo') return trainDpo(req, hooks);
  const run = prepareRun(req, hooks, req.stage);
  const { log, now, t0, cfg, seqLen, tokenizer, renderer, model, lora, paths, resumed } = run;

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
  // Said before the engine allocates anything, so a run that will not fit is flagged while it can still be stopped.
  const plannedThreads = cfg.threads || Math.min(2, availableParallelism());
  const estimate = describeEstimate(estimateMemory({ config: model, batchSize: cfg.batchSize, seqLen, threads: plannedThreads, lora }), plannedThreads, freemem());
  log(estimate.message, estimate.warn ? 'warn' : 'info');
  const started = await startEngine(run, hooks);
  const { engine } = started;
  await restoreResumedWeights(run, engine);

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
  const writeInfo = startRunInfo(run, engine, () => ({ step, total_steps: totalSteps, best_eval_loss: bestEvalLoss, best_step: bestStep }));
  const saveWeights = checkpointSaver(run, started);
  const saveLatest = () => saveWeights(paths.checkpoint, {
    step, totalSteps, config: cfg, sampler: sampler.getState(), bestEvalLoss, bestStep, evalsWithoutImprovement, elapsedSeconds: elapsed(), tokensSeen,
  });

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
      await saveWeights(paths.best, null);
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
  // Once a time-budgeted run has planned its steps: where and when it last did, and how many re-plans it made.
  let planned: { step: number; t: number; replans: number } | null = null;
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
      const measuredSteps = step - firstStep - 1;
      const measured = totalSteps === 0 && calibrationStart !== null && measuredSteps >= CALIBRATION_STEPS ? now() - calibrationStart : 0;
      if (measured > 0 && speedMeasured(measuredSteps, measured, budgetSeconds)) {
        const perStep = measured / measuredSteps;
        totalSteps = stepsFitting(step, perStep, budgetLeft());
        planned = { step, t: now(), replans: 0 };
        log(`measured ${perStep.toFixed(3)} s/step: planning ${totalSteps} steps for the ${cfg.maxMinutes}-minute budget`);
      } else if (planned && planned.replans < REPLAN_AT.length && now() - budgetStart >= REPLAN_AT[planned.replans] * budgetSeconds && step > planned.step) {
        const perStep = (now() - planned.t) / (step - planned.step);
        const before = totalSteps;
        totalSteps = replannedSteps(step, totalSteps, perStep, budgetLeft());
        planned = { step, t: now(), replans: planned.replans + 1 };
        if (totalSteps !== before) log(`measured ${perStep.toFixed(3)} s/step since: ${totalSteps} steps instead of ${before} for the budget`);
      }

      const lr = learningRate(step, { lr: cfg.lr, minLr: cfg.minLr, warmupSteps: cfg.warmupSteps, totalSteps: totalSteps || Number.MAX_SAFE_INTEGER });
      const stepExamples = takeStepExamples(sampler, examples, seqLen, cfg.packing, rowsPerStep);
      const micro = batchesOf(stepExamples, seqLen, cfg.batchSize, cfg.packing, tokenizer.padId);
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
        writeInfo();
      }
    }
    if (status === 'finished' && lastEvalStep !== step && !hooks.stopRequested()) await runEval();
    await saveLatest();
    writeInfo({ status, reason, finished_at: new Date().toISOString(), pid: null });
    log(`${status} at step ${step}: ${reason}; last loss ${Number.isFinite(lastLoss) ? lastLoss.toFixed(4) : 'n/a'}${bestEvalLoss !== null ? `, best eval loss ${bestEvalLoss.toFixed(4)} at step ${bestStep}` : ''}`);
    return { status, step, reason, bestEvalLoss };
  } catch (e) {
    writeInfo({ status: 'failed', reason: (e as Error).message, finished_at: new Date().toISOString(), pid: null });
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

async function perTaskLoss(engine: Engine, stepExamples: Example[], seqLen: number, cfg: TrainConfig, padId: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [task, group] of groupByTask(stepExamples)) {
    let sum = 0;
    let tokens = 0;
    for (const batch of batchesOf(group, seqLen, cfg.batchSize, cfg.packing, padId)) {
      const r = await engine.evalLoss(batch);
      sum += r.lossSum;
      tokens += r.tokens;
    }
    if (tokens) out[task] = sum / tokens;
  }
  return out;
}

export const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function runFolderExists(out: string): boolean {
  return existsSync(runPaths(out).run) || existingCheckpointDir(runPaths(out).checkpoint) !== null;
}
