// The DPO loop, top to bottom like the SFT one (../train.ts), whose run folder, checkpoints, resume, cancel, time
// budget and early stopping it shares: run folder → config → model (the built-in one or an SFT checkpoint) → preference
// pairs → reference log-probabilities (once, from the starting weights) → loop (DPO step, TRL-named metrics, eval
// on held-out pairs: DPO loss, reward accuracy and margin; best checkpoint by eval DPO loss) → final checkpoint.
import { mkdirSync } from 'node:fs';
import { ByteTokenizer } from '../../core/tokenizer/byteTokenizer';
import { createRenderer } from '../../core/template';
import type { EvalRow, MetricsRow, TrainRequest } from '../../shared/protocol/trainer';
import type { GptConfig, OptimizerSettings } from '../engine/types';
import { gptConfigOf, resolveConfig, type TrainConfig } from '../config';
import { existingCheckpointDir, loadCheckpoint, saveCheckpoint, type Checkpoint, type TrainingState } from '../checkpoint';
import { holdOut } from '../prepare';
import { appendMetrics, readRunInfo, runPaths, truncateMetrics, writeRunInfo, type RunInfo } from '../runFolder';
import { TaskSampler } from '../sampler';
import { learningRate } from '../schedule';
import { resolveModelDir } from '../modelDir';
import { resolveSavedTemplate, type SavedTemplate } from '../template';
import { RunFolderError, yieldToEventLoop, type TrainHooks, type TrainOutcome } from '../train';
import { loadPreferencePairs, type PreferencePair } from './data';
import { loadReference, pairLogps, REFERENCE_FILE, saveReference, type ReferenceLogps } from './logps';
import type { DpoLossType, DpoSettings, DpoStats } from './loss';
import { dpoEvaluate, dpoTrainStep, type ScoredPair } from './step';

export async function trainDpo(req: TrainRequest, hooks: TrainHooks): Promise<TrainOutcome> {
  const now = hooks.now ?? (() => performance.now() / 1000);
  const log = (message: string, level: 'info' | 'warn' = 'info') => hooks.emit({ type: 'log', level, message });
  const t0 = now();

  // ---- run folder: a new run, or the checkpoint of an unfinished DPO run ------------------------------------------
  const paths = runPaths(req.out);
  const previousRun = readRunInfo(req.out);
  if (previousRun?.status === 'finished') throw new RunFolderError(`${req.out} holds a finished run; choose another --out (nothing was overwritten)`);
  const ckDir = existingCheckpointDir(paths.checkpoint);
  if ((previousRun || ckDir) && !req.resume) throw new RunFolderError(`${req.out} already holds a run; resume it or choose another --out (nothing was overwritten)`);
  if (previousRun && (previousRun.stage ?? 'sft') !== 'dpo') throw new RunFolderError(`${req.out} holds a ${previousRun.stage ?? 'sft'} run, not a DPO one; choose another --out (nothing was overwritten)`);
  const resumed: Checkpoint | null = req.resume && ckDir ? loadCheckpoint(ckDir) : null;
  if (resumed && !resumed.state) throw new RunFolderError(`${ckDir}: holds weights only, no training state to resume from`);
  mkdirSync(req.out, { recursive: true });

  // ---- config ------------------------------------------------------------------------------------------------------
  let cfg: TrainConfig;
  if (resumed?.state) {
    cfg = { ...resumed.state.config };
    if (typeof req.overrides.maxMinutes === 'number') cfg.maxMinutes = req.overrides.maxMinutes;
  } else {
    cfg = resolveConfig(req.overrides);
  }
  const settings: DpoSettings = { beta: cfg.dpoBeta, loss: cfg.dpoLoss as DpoLossType, labelSmoothing: cfg.dpoLabelSmoothing };

  // ---- model: the built-in one, or a saved model / SFT run (whose weights become the reference) --------------------
  let base: Checkpoint | null = null;
  if (!resumed && req.model !== 'tiny') base = loadCheckpoint(resolveModelDir(req.model), { withOptimizer: false });
  const tokenizer = resumed?.tokenizer ?? base?.tokenizer ?? new ByteTokenizer();
  const model: GptConfig = resumed?.model ?? base?.model ?? gptConfigOf(cfg, tokenizer.vocabSize);
  if (base || resumed) cfg = { ...cfg, dModel: model.dModel, nLayers: model.nLayers, nHeads: model.nHeads, contextLength: Math.min(cfg.contextLength, model.contextLength) };
  const seqLen = cfg.contextLength;
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

  // ---- preference pairs ------------------------------------------------------------------------------------------
  const loadOpts = { skipInvalid: req.skipInvalid, includeRejected: req.includeRejected, maxTokens: seqLen + 1 };
  const trainSet = await loadPreferencePairs(req.data, tokenizer, renderer, loadOpts);
  let trainPairs: PreferencePair[] = trainSet.pairs;
  let evalPairs: PreferencePair[] = [];
  if (req.eval) {
    evalPairs = (await loadPreferencePairs(req.eval, tokenizer, renderer, { ...loadOpts, includeRejected: true })).pairs;
  } else {
    const split = holdOut(trainPairs, req.evalFraction ?? cfg.evalFraction, cfg.seed);
    trainPairs = split.train;
    evalPairs = split.held;
  }
  if (trainSet.skippedInvalid) log(`skipped ${trainSet.skippedInvalid} invalid record${trainSet.skippedInvalid === 1 ? '' : 's'} of ${req.data}`, 'warn');
  if (trainSet.excludedRejected) log(`left out ${trainSet.excludedRejected} record(s) whose review is "rejected" or marked tie / both-bad`);
  if (trainSet.unranked) log(`left out ${trainSet.unranked} ranking record(s) with no "ranking" yet`, 'warn');
  if (trainSet.truncated) log(`${trainSet.truncated} pair(s) are longer than the context (${seqLen} tokens) and were cut`, 'warn');
  if (trainSet.tooLong) log(`${trainSet.tooLong} pair(s) have a response beyond the context (${seqLen} tokens) and were left out`, 'warn');
  const byTask = new Map<string, number[]>();
  trainPairs.forEach((p, i) => byTask.set(p.task, [...(byTask.get(p.task) ?? []), i]));
  log(`data: ${trainPairs.length} training preference pairs, ${evalPairs.length} eval; DPO ${settings.loss} loss, beta ${settings.beta}${settings.labelSmoothing ? `, label smoothing ${settings.labelSmoothing}` : ''}`);

  // ---- engine, and the reference log-probabilities from the starting weights ---------------------------------------
  const engine = await hooks.createEngine({ config: model, seed: cfg.seed, params: base?.params, threads: cfg.threads || undefined });
  try {
    log(`backend: ${engine.backend.name} on ${engine.backend.device} (${engine.backend.reason})`);
    log(`model: ${model.nLayers} layer${model.nLayers === 1 ? '' : 's'}, d_model ${model.dModel}, ${model.nHeads} heads, context ${model.contextLength}, ${engine.parameterCount.toLocaleString('en')} parameters`);
    let reference: ReferenceLogps | null = loadReference(req.out, trainPairs.length, evalPairs.length);
    if (resumed && !reference) throw new RunFolderError(`${req.out}: the checkpoint has no ${REFERENCE_FILE} beside it, so the reference model is lost; start a new run`);
    if (!reference) {
      log(`reference log-probabilities of ${trainPairs.length + evalPairs.length} pairs from the starting weights`);
      const train = await pairLogps(engine, trainPairs, seqLen, tokenizer.padId, cfg.batchSize, hooks.stopRequested);
      const held = await pairLogps(engine, evalPairs, seqLen, tokenizer.padId, cfg.batchSize, hooks.stopRequested);
      if (hooks.stopRequested()) return { status: 'stopped', step: 0, reason: 'cancelled', bestEvalLoss: null };
      reference = { train, eval: held };
      saveReference(req.out, reference);
    }
    if (resumed) await engine.setState({ params: resumed.params, optimizer: resumed.optimizer });
    const ref = reference;
    const scored = (i: number): ScoredPair => ({ pair: trainPairs[i], refChosen: ref.train.chosen[i], refRejected: ref.train.rejected[i] });

    // ---- training state (as SFT: the sampler draws pair indices, by task) -------------------------------------------
    const sampler = resumed?.state ? TaskSampler.restore(resumed.state.sampler) : TaskSampler.create(byTask, cfg.taskWeights, cfg.seed);
    const pairsPerStep = cfg.batchSize * cfg.gradAccum;
    let step = resumed?.state?.step ?? 0;
    let totalSteps = resumed?.state?.totalSteps ?? (cfg.steps > 0 ? cfg.steps : cfg.epochs > 0 ? Math.max(1, Math.ceil((cfg.epochs * trainPairs.length) / pairsPerStep)) : 0);
    let bestEvalLoss = resumed?.state?.bestEvalLoss ?? null;
    let bestStep = resumed?.state?.bestStep ?? null;
    let evalsWithoutImprovement = resumed?.state?.evalsWithoutImprovement ?? 0;
    let tokensSeen = resumed?.state?.tokensSeen ?? 0;
    const elapsedBefore = resumed?.state?.elapsedSeconds ?? 0;
    const elapsed = () => elapsedBefore + (now() - t0);
    const budgetSeconds = cfg.maxMinutes > 0 ? cfg.maxMinutes * 60 : Infinity;
    truncateMetrics(req.out, resumed ? step : -1);
    if (resumed) log(`resumed from ${ckDir} at step ${step} of ${totalSteps || '?'}`);
    const startedAt = previousRun?.started_at ?? new Date().toISOString();
    const runInfo = (patch: Partial<RunInfo>): RunInfo => ({
      status: 'running', stage: 'dpo', dataset: req.data, eval: req.eval ?? null, model: req.model, config: { ...cfg, ...(template ? { template: template.ref } : {}) },
      backend: engine.backend, parameters: engine.parameterCount, started_at: startedAt, updated_at: '', finished_at: null, step, total_steps: totalSteps,
      best_eval_loss: bestEvalLoss, best_step: bestStep, reason: null, pid: process.pid, ...patch,
    });
    writeRunInfo(req.out, runInfo({}));
    const saveLatest = async () => {
      const state: Omit<TrainingState, 'files' | 'optimizer'> = {
        step, totalSteps, config: cfg, sampler: sampler.getState(), bestEvalLoss, bestStep, evalsWithoutImprovement, elapsedSeconds: elapsed(), tokensSeen,
      };
      const { params, optimizer } = await engine.getState();
      saveCheckpoint(paths.checkpoint, { model, tokenizer, params, optimizer, state, template });
    };

    /** Eval DPO loss, reward accuracy and margin on the held-out pairs; keeps the best weights; true = stop early. */
    const runEval = async (): Promise<boolean> => {
      if (!evalPairs.length) return false;
      const r: DpoStats = await dpoEvaluate(engine, evalPairs, ref.eval, settings, seqLen, tokenizer.padId, cfg.batchSize, hooks.stopRequested);
      if (hooks.stopRequested()) return false;
      const row: EvalRow = {
        split: 'eval', step, epoch: sampler.consumed / trainPairs.length, elapsed_s: round(elapsed(), 3), loss: r.loss, exact_match: null,
        reward_accuracy: r['rewards/accuracies'], reward_margin: r['rewards/margins'],
      };
      appendMetrics(req.out, row);
      hooks.emit({ type: 'eval', row, samples: [] });
      if (bestEvalLoss === null || r.loss < bestEvalLoss) {
        bestEvalLoss = r.loss;
        bestStep = step;
        evalsWithoutImprovement = 0;
        const { params } = await engine.getState();
        saveCheckpoint(paths.best, { model, tokenizer, params, optimizer: null, state: null, template });
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
    let lastLoss = NaN;
    try {
      if (step === 0) await runEval();
      lastEvalStep = step;
      const budgetStart = now();
      const budgetLeft = () => budgetSeconds - (now() - budgetStart);
      let window = { t: budgetStart, tokens: 0 };
      const firstStep = step;
      let calibrationStart: number | null = null;
      while (totalSteps === 0 || step < totalSteps) {
        await yieldToEventLoop();
        if (hooks.stopRequested()) { status = 'stopped'; reason = 'cancelled'; break; }
        if (budgetLeft() <= 0) { reason = `time limit of ${cfg.maxMinutes} min reached`; break; }
        if (totalSteps === 0 && step === firstStep + 1) calibrationStart = now();
        if (totalSteps === 0 && calibrationStart !== null && step === firstStep + 11) {
          const perStep = (now() - calibrationStart) / 10;
          totalSteps = Math.max(step + 1, step + Math.floor(budgetLeft() / perStep));
          log(`measured ${perStep.toFixed(3)} s/step: planning ${totalSteps} steps for the ${cfg.maxMinutes}-minute budget`);
        }

        const lr = learningRate(step, { lr: cfg.lr, minLr: cfg.minLr, warmupSteps: cfg.warmupSteps, totalSteps: totalSteps || Number.MAX_SAFE_INTEGER });
        const micro: ScoredPair[][] = [];
        for (let m = 0; m < cfg.gradAccum; m++) micro.push(Array.from({ length: cfg.batchSize }, () => scored(sampler.take())));
        const result = await dpoTrainStep(engine, micro, settings, { ...opt, lr }, seqLen, tokenizer.padId);
        if (!Number.isFinite(result.stats.loss)) throw new Error(`the DPO loss became ${result.stats.loss} at step ${step + 1} (try a lower --lr)`);
        step++;
        tokensSeen += result.tokens;
        window.tokens += result.tokens;
        lastLoss = result.stats.loss;

        const tokensPerSecond = window.tokens / Math.max(1e-9, now() - window.t);
        const remaining = totalSteps ? totalSteps - step : null;
        const perStepSeconds = (now() - budgetStart) / Math.max(1, step - firstStep);
        hooks.emit({
          type: 'progress', step, totalSteps, loss: result.stats.loss, tokensPerSecond,
          etaSeconds: remaining === null ? null : Math.min(remaining * perStepSeconds, Math.max(0, budgetLeft())), elapsedSeconds: elapsed(),
        });
        if (step % cfg.logEvery === 0 || step === 1 || step === totalSteps) {
          const { n: _n, loss, ...trl } = result.stats;
          const row: MetricsRow = {
            step, epoch: round(sampler.consumed / trainPairs.length, 4), loss, lr, grad_norm: result.gradNorm,
            tokens_per_second: round(tokensPerSecond, 1), elapsed_s: round(elapsed(), 3), ...trl,
          };
          appendMetrics(req.out, row);
          hooks.emit({ type: 'metrics', row });
          window = { t: now(), tokens: 0 };
        }
        if (cfg.evalEvery > 0 && step % cfg.evalEvery === 0) {
          lastEvalStep = step;
          if (await runEval()) { reason = `early stopping: eval DPO loss did not improve in ${cfg.patience} evaluations`; break; }
        }
        if (step % cfg.checkpointEvery === 0) {
          await saveLatest();
          writeRunInfo(req.out, runInfo({}));
        }
      }
      if (status === 'finished' && lastEvalStep !== step && !hooks.stopRequested()) await runEval();
      await saveLatest();
      writeRunInfo(req.out, runInfo({ status, reason, finished_at: new Date().toISOString(), pid: null }));
      log(`${status} at step ${step}: ${reason}; last DPO loss ${Number.isFinite(lastLoss) ? lastLoss.toFixed(4) : 'n/a'}${bestEvalLoss !== null ? `, best eval DPO loss ${bestEvalLoss.toFixed(4)} at step ${bestStep}` : ''}`);
      return { status, step, reason, bestEvalLoss };
    } catch (e) {
      writeRunInfo(req.out, runInfo({ status: 'failed', reason: (e as Error).message, finished_at: new Date().toISOString(), pid: null }));
      throw e;
    }
  } finally {
    await engine.dispose();
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
