// What every stage (SFT and pretraining in ./train.ts, DPO in ./dpo/train.ts) does around its own data and loop:
// open the run folder (a new run, or the checkpoint of an unfinished one), settle the config, load the base model,
// pick the template; start the engine; save checkpoints (full or LoRA) and keep run.json current.
import { mkdirSync } from 'node:fs';
import { ByteTokenizer } from '../core/tokenizer/byteTokenizer';
import type { Tokenizer } from '../core/tokenizer/types';
import type { RecordRenderer } from '../core/template/types';
import { createRenderer } from '../core/template';
import type { TrainRequest, TrainStage } from '../shared/protocol/trainer';
import type { Engine, ModelConfig } from './engine/types';
import type { LoraOptions } from './engine/lora';
import type { AdapterSettings } from './adapterCheckpoint';
import type { HfSource } from './hf/loadFolder';
import { gptConfigOf, resolveConfig, type TrainConfig } from './config';
import { existingCheckpointDir, loadCheckpoint, saveCheckpoint, type Checkpoint, type TrainingState } from './checkpoint';
import { readRunInfo, runPaths, truncateMetrics, writeRunInfo, type RunInfo } from './runFolder';
import { resolveModelDir } from './modelDir';
import { builtinModelDir } from './builtinModel';
import { resolveSavedTemplate, type SavedTemplate } from './template';
import { adapterBaseFolder, adapterSettingsFor, loraOptionsFor, loraSummary, saveLoraCheckpoint } from './loraRun';
import type { TrainHooks } from './train';

export class RunFolderError extends Error {}

export interface PreparedRun {
  req: TrainRequest;
  /** What the run trains; undefined for an SFT request that named no stage (run.json then records none). */
  stage: TrainStage | undefined;
  log: (message: string, level?: 'info' | 'warn') => void;
  now: () => number;
  /** When this session began: its share of the run's elapsed time counts from here. */
  t0: number;
  paths: ReturnType<typeof runPaths>;
  previousRun: RunInfo | null;
  /** The run's checkpoint folder, when it has one. */
  ckDir: string | null;
  resumed: Checkpoint | null;
  cfg: TrainConfig;
  base: Checkpoint | null;
  baseDir: string | null;
  tokenizer: Tokenizer;
  model: ModelConfig;
  seqLen: number;
  /** A run from a Hugging Face model checkpoints as a Hugging Face folder (its config.json and tokenizer files). */
  source: HfSource | null;
  template: SavedTemplate | null;
  renderer: RecordRenderer;
  lora: LoraOptions | undefined;
}

/** Everything a stage needs before it loads its data: run folder, config, base model, tokenizer and template. */
export function prepareRun(req: TrainRequest, hooks: TrainHooks, stage: TrainStage | undefined): PreparedRun {
  const now = hooks.now ?? (() => performance.now() / 1000);
  const log = (message: string, level: 'info' | 'warn' = 'info') => hooks.emit({ type: 'log', level, message });
  const t0 = now();
  const { paths, previousRun, ckDir, resumed } = openRunFolder(req, stage);
  let cfg = runConfig(req, resumed, stage, log);

  // ---- model: the built-in GPT from random weights (`scratch`), the shipped pre-trained one (`tiny`), or a folder
  // (a saved model, or for DPO an SFT run, whose weights become the reference) ---------------------------------------
  const builtin = resumed ? null : builtinModelDir(req.model);
  const baseDir = builtin === null ? null : resolveModelDir(builtin);
  const base = baseDir ? loadCheckpoint(baseDir, { withOptimizer: false }) : null;
  const tokenizer = resumed?.tokenizer ?? base?.tokenizer ?? new ByteTokenizer();
  const model: ModelConfig = resumed?.model ?? base?.model ?? gptConfigOf(cfg, tokenizer.vocabSize);
  if (base || resumed) cfg = { ...cfg, dModel: model.dModel, nLayers: model.nLayers, nHeads: model.nHeads, contextLength: Math.min(cfg.contextLength, model.contextLength) };
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

  const lora = cfg.lora ? loraOptionsFor(cfg, model) : undefined;
  return { req, stage, log, now, t0, paths, previousRun, ckDir, resumed, cfg, base, baseDir, tokenizer, model, seqLen: cfg.contextLength, source, template, renderer, lora };
}

/** Refuses a folder this request must not write into; loads the checkpoint a resumed run continues from. */
function openRunFolder(req: TrainRequest, stage: TrainStage | undefined) {
  const paths = runPaths(req.out);
  const previousRun = readRunInfo(req.out);
  if (previousRun?.status === 'finished') throw new RunFolderError(`${req.out} holds a finished run; choose another --out (nothing was overwritten)`);
  const ckDir = existingCheckpointDir(paths.checkpoint);
  const notResuming = () => (previousRun || ckDir) && !req.resume;
  const alreadyHolds = `${req.out} already holds a run; resume it or choose another --out (nothing was overwritten)`;
  // DPO asks in its own order and words, and does not look for a live trainer: kept as each stage had it.
  if (stage === 'dpo') {
    if (notResuming()) throw new RunFolderError(alreadyHolds);
    if (previousRun && (previousRun.stage ?? 'sft') !== 'dpo') throw new RunFolderError(`${req.out} holds a ${previousRun.stage ?? 'sft'} run, not a DPO one; choose another --out (nothing was overwritten)`);
  } else {
    if (previousRun && (previousRun.stage ?? 'sft') !== (stage ?? 'sft')) throw new RunFolderError(`${req.out} holds a ${previousRun.stage} run; resume it with --stage ${previousRun.stage} or choose another --out (nothing was overwritten)`);
    if (notResuming()) throw new RunFolderError(alreadyHolds);
    if (previousRun?.status === 'running' && previousRun.pid && previousRun.pid !== process.pid && processAlive(previousRun.pid)) {
      throw new RunFolderError(`${req.out} is in use by a running trainer (pid ${previousRun.pid})`);
    }
  }
  const resumed: Checkpoint | null = req.resume && ckDir ? loadCheckpoint(ckDir) : null;
  if (resumed && !resumed.state) throw new RunFolderError(`${ckDir}: holds weights only, no training state to resume from`);
  mkdirSync(req.out, { recursive: true });
  return { paths, previousRun, ckDir, resumed };
}

/** The saved config when resuming (so the run continues exactly), else preset + overrides. */
function runConfig(req: TrainRequest, resumed: Checkpoint | null, stage: TrainStage | undefined, log: PreparedRun['log']): TrainConfig {
  if (!resumed?.state) return resolveConfig(req.overrides);
  const cfg = { ...resumed.state.config };
  // A time budget belongs to this invocation, not to the run; everything else must stay as saved to resume exactly.
  if (typeof req.overrides.maxMinutes === 'number') cfg.maxMinutes = req.overrides.maxMinutes;
  if (stage === 'dpo') return cfg;
  const ignored = Object.entries(req.overrides).filter(([k, v]) => k !== 'maxMinutes' && k !== 'epochs' && JSON.stringify((cfg as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v));
  if (ignored.length) log(`resuming with the run's saved settings; ignored: ${ignored.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`, 'warn');
  return cfg;
}

export interface StartedEngine {
  engine: Engine;
  /** Set for a LoRA run: its checkpoints are PEFT adapter folders naming this base. */
  adapterSettings: AdapterSettings | null;
}

/**
 * Creates the engine from the base weights (a resumed LoRA run's adapter folder names them) and says what it runs.
 * A resumed run's own weights are not restored here (restoreResumedWeights): DPO first scores its reference with the
 * starting ones.
 */
export async function startEngine(run: PreparedRun, hooks: TrainHooks): Promise<StartedEngine> {
  const { cfg, model, resumed, base, lora, log } = run;
  const engine = await hooks.createEngine({ config: model, seed: cfg.seed, params: resumed?.adapter?.base.params ?? base?.params, threads: cfg.threads || undefined, lora });
  try {
    log(`backend: ${engine.backend.name} on ${engine.backend.device} (${engine.backend.reason})`);
    log(`model: ${model.nLayers} layer${model.nLayers === 1 ? '' : 's'}, d_model ${model.dModel}, ${model.nHeads} heads, context ${model.contextLength}, ${engine.parameterCount.toLocaleString('en')} parameters`);
    if (lora) log(loraSummary(lora, engine.trainableParameterCount, engine.parameterCount));
    // A base that is itself an adapter folder has no weights file for PEFT to name: save it merged, as a random base is.
    const adapterBase = lora ? resumed?.adapter?.baseDir ?? await adapterBaseFolder(engine, base?.adapter ? null : run.baseDir, run.req.out, model, run.tokenizer, run.template) : null;
    return { engine, adapterSettings: lora && adapterBase ? adapterSettingsFor(lora, adapterBase, model) : null };
  } catch (e) {
    await engine.dispose();
    throw e;
  }
}

export async function restoreResumedWeights({ resumed }: PreparedRun, engine: Engine): Promise<void> {
  if (resumed?.adapter) await engine.setAdapterState(resumed.adapter.adapter);
  else if (resumed) await engine.setState({ params: resumed.params, optimizer: resumed.optimizer });
}

export type SavedState = Omit<TrainingState, 'files' | 'optimizer'>;

/**
 * Saves the engine's weights into a folder: a LoRA run's adapters as a PEFT folder, else the whole model (as a
 * Hugging Face folder for a run from one). With `state` (the latest checkpoint) the optimizer moments and training
 * state go along, for resuming; without (the best one) the weights alone.
 */
export function checkpointSaver(run: PreparedRun, { engine, adapterSettings }: StartedEngine): (dir: string, state: SavedState | null) => Promise<void> {
  const { model, tokenizer, template, source } = run;
  return async (dir, state) => {
    if (adapterSettings) return saveLoraCheckpoint(dir, engine, adapterSettings, state, template);
    const { params, optimizer } = await engine.getState();
    saveCheckpoint(dir, { model, tokenizer, params, optimizer: state ? optimizer : null, state, template, source });
  };
}

/** Where the loop stands, as run.json records it. */
export type RunProgress = Pick<RunInfo, 'step' | 'total_steps' | 'best_eval_loss' | 'best_step'>;

/**
 * Marks the run running in run.json, once the loop's starting point is known; returns the writer of its later states
 * (`patch` over running), which reads the loop's position from `progress` at each write.
 */
export function startRunInfo(run: PreparedRun, engine: Engine, progress: () => RunProgress): (patch?: Partial<RunInfo>) => void {
  const { req, stage, cfg, template, resumed } = run;
  const start = progress();
  // Rows past the checkpoint are trained again (or, with no checkpoint, the run starts over): keep each step once.
  truncateMetrics(req.out, resumed ? start.step : -1);
  if (resumed) run.log(`resumed from ${run.ckDir} at step ${start.step} of ${start.total_steps || '?'}`);
  const startedAt = run.previousRun?.started_at ?? new Date().toISOString();
  const write = (patch: Partial<RunInfo> = {}) => writeRunInfo(req.out, {
    status: 'running', dataset: req.data, eval: req.eval ?? null, model: req.model, ...(stage ? { stage } : {}), config: { ...cfg, ...(template ? { template: template.ref } : {}) },
    backend: engine.backend, parameters: engine.parameterCount, started_at: startedAt, updated_at: '', finished_at: null, ...progress(), reason: null, pid: process.pid, ...patch,
  });
  write();
  return write;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
