// The DPO loop, top to bottom like the SFT one (../train.ts), whose run folder, checkpoints, resume, cancel, time
// budget and early stopping it shares: run folder → config → model (the built-in one or an SFT checkpoint; these three
// set up by ../runSetup.ts) → preference pairs → reference log-probabilities (once, from the starting weights) → loop
// (DPO step, TRL-named metrics, eval on held-out pairs: DPO loss, reward accuracy and margin; best checkpoint by eval
// DPO loss) → final checkpoint.
import type { EvalRow, MetricsRow, TrainRequest } from '../../shared/protocol/trainer';
import type { OptimizerSettings } from '../engine/types';
import { holdOut } from '../prepare';
import { appendMetrics } from '../runFolder';
import { TaskSampler } from '../sampler';
import { learningRate } from '../schedule';
import { checkpointSaver, prepareRun, restoreResumedWeights, RunFolderError, startEngine, startRunInfo } from '../runSetup';
import { yieldToEventLoop, type TrainHooks, type TrainOutcome } from '../train';
import { loadPreferencePairs, type PreferencePair } from './data';
import { loadReference, pairLogps, REFERENCE_FILE, saveReference, type ReferenceLogps } from './logps';
import type { DpoLossType, DpoSettings, DpoStats } from './loss';
import { dpoEvaluate, dpoTrainStep, type ScoredPair } from './step';

export async function trainDpo(req: TrainRequest, hooks: TrainHooks): Promise<TrainOutcome> {
  // The model is the built-in one or a saved model / SFT run, whose weights become the reference.
  const run = prepareRun(req, hooks, 'dpo');
  const { log, now, t0, cfg, seqLen, tokenizer, renderer, paths, resumed } = run;
  const settings: DpoSettings = { beta: cfg.dpoBeta, loss: cfg.dpoLoss as DpoLossType, labelSmoothing: cfg.dpoLabelSmoothing };

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
  // LoRA as in SFT (../loraRun.ts): adapters from zero, so the starting weights (the reference) are the base's.
  const started = await startEngine(run, hooks);
  const { engine } = started;
  try {
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
    await restoreResumedWeights(run, engine);
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
    const writeInfo = startRunInfo(run, engine, () => ({ step, total_steps: totalSteps, best_eval_loss: bestEvalLoss, best_step: bestStep }));
    const saveWeights = checkpointSaver(run, started);
    const saveLatest = () => saveWeights(paths.checkpoint, {
      step, totalSteps, config: cfg, sampler: sampler.getState(), bestEvalLoss, bestStep, evalsWithoutImprovement, elapsedSeconds: elapsed(), tokensSeen,
    });

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
          writeInfo();
        }
      }
      if (status === 'finished' && lastEvalStep !== step && !hooks.stopRequested()) await runEval();
      await saveLatest();
      writeInfo({ status, reason, finished_at: new Date().toISOString(), pid: null });
      log(`${status} at step ${step}: ${reason}; last DPO loss ${Number.isFinite(lastLoss) ? lastLoss.toFixed(4) : 'n/a'}${bestEvalLoss !== null ? `, best eval DPO loss ${bestEvalLoss.toFixed(4)} at step ${bestStep}` : ''}`);
      return { status, step, reason, bestEvalLoss };
    } catch (e) {
      writeInfo({ status: 'failed', reason: (e as Error).message, finished_at: new Date().toISOString(), pid: null });
      throw e;
    }
  } finally {
    await engine.dispose();
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
