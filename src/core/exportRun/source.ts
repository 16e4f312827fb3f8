// What an export needs from a local run folder, read once: run.json (dataset, eval, model, config), the
// checkpoint's training_state.json (the config when run.json lacks it) and template.json (the exact template the
// run rendered with). Nothing here writes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { isPresetName, type PresetName, type RendererSpec } from '../template/index';

export class ExportError extends Error {}

/** Training settings as the run used them (the trainer's TrainConfig names), with the trainer's defaults filled in. */
export interface RunSettings {
  contextLength: number;
  packing: boolean;
  batchSize: number;
  gradAccum: number;
  steps: number;
  epochs: number;
  maxMinutes: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  clipNorm: number;
  evalEvery: number;
  evalFraction: number;
  patience: number;
  logEvery: number;
  checkpointEvery: number;
  seed: number;
}

// The trainer's defaults (src/trainer/config.ts DEFAULT_CONFIG), for runs whose saved config predates a setting.
const DEFAULTS: RunSettings = {
  contextLength: 128, packing: true, batchSize: 16, gradAccum: 1, steps: 0, epochs: 1, maxMinutes: 0, lr: 2e-3, minLr: 2e-4,
  warmupSteps: 30, weightDecay: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, clipNorm: 1.0, evalEvery: 100, evalFraction: 0.05,
  patience: 0, logEvery: 10, checkpointEvery: 200, seed: 1337,
};

export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  /** Module names as the run named them; empty: the architecture's default. */
  targets: string[];
}

export interface DpoSettings {
  beta: number;
  loss: 'sigmoid' | 'ipo';
  labelSmoothing: number;
}

/** The model the run started from, as a cluster can name it. */
export type BaseModelRef =
  /** A Hugging Face model folder on this machine (`hubId` when its config.json names one). */
  | { kind: 'folder'; path: string; modelType?: string; hubId?: string }
  /** A hub id or path the user gave with --base-model. */
  | { kind: 'given'; id: string }
  /** The built-in tiny GPT (or a run/checkpoint of it): no Hugging Face equivalent exists. */
  | { kind: 'builtin'; name: string }
  /** A model folder that is gone or unreadable. */
  | { kind: 'unknown'; reason: string };

export interface ExportTemplate {
  /** The reference the run was started with (a preset name or a path); null: the default (byte-level). */
  ref: string | null;
  /** The preset, when the template is one as shipped. */
  preset: PresetName | null;
  spec: RendererSpec;
}

export interface ExportSource {
  runDir: string;
  name: string;
  stage: 'sft' | 'dpo';
  dataset: string;
  eval: string | null;
  model: BaseModelRef;
  settings: RunSettings;
  /** Optimizer steps the run planned (run.json total_steps): the step count of a time-budgeted run. */
  totalSteps: number | null;
  template: ExportTemplate;
  lora: LoraSettings | null;
  dpo: DpoSettings;
}

function readJson(file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ExportError(`${file}: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ExportError(`${file}: expected a JSON object`);
  return v as Record<string, unknown>;
}

/** The checkpoint folder whose files describe the run (latest, else best), or null. */
function checkpointOf(runDir: string): string | null {
  for (const d of ['checkpoint', 'checkpoint.old', 'best']) if (existsSync(join(runDir, d, 'training_state.json')) || existsSync(join(runDir, d, 'template.json'))) return join(runDir, d);
  return null;
}

export function readExportSource(runDir: string, options: { baseModel?: string } = {}): ExportSource {
  const dir = resolve(runDir);
  const runFile = join(dir, 'run.json');
  if (!existsSync(runFile)) throw new ExportError(`${dir}: not a run folder (no run.json)`);
  const run = readJson(runFile);
  const ck = checkpointOf(dir);
  const state = ck && existsSync(join(ck, 'training_state.json')) ? readJson(join(ck, 'training_state.json')) : null;
  const runConfig = isObject(run.config) ? run.config : {};
  const stateConfig = state && isObject(state.config) ? state.config : {};
  const raw: Record<string, unknown> = { ...stateConfig, ...runConfig };

  const settings = { ...DEFAULTS };
  for (const k of Object.keys(DEFAULTS) as Array<keyof RunSettings>) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v !== typeof DEFAULTS[k]) throw new ExportError(`${runFile}: config.${k} must be a ${typeof DEFAULTS[k]}, got ${JSON.stringify(v)}`);
    (settings as Record<string, unknown>)[k] = v;
  }

  const dataset = typeof run.dataset === 'string' ? run.dataset : typeof run.data === 'string' ? run.data : undefined;
  if (!dataset) throw new ExportError(`${runFile}: field "dataset" is missing: the run does not say what it trained on`);
  const evalFile = typeof run.eval === 'string' && run.eval ? run.eval : null;
  const stageValue = run.stage ?? raw.stage;
  const stage = stageValue === 'dpo' ? 'dpo' : 'sft';

  const lora = raw.lora === true ? {
    r: num(raw.loraR, 8), alpha: num(raw.loraAlpha, 16), dropout: num(raw.loraDropout, 0),
    targets: typeof raw.loraTargets === 'string' ? raw.loraTargets.split(',').map((s) => s.trim()).filter(Boolean) : [],
  } : null;

  return {
    runDir: dir,
    name: basename(dir),
    stage,
    dataset: isAbsolute(dataset) ? dataset : resolve(dir, dataset),
    eval: evalFile ? (isAbsolute(evalFile) ? evalFile : resolve(dir, evalFile)) : null,
    model: options.baseModel ? { kind: 'given', id: options.baseModel } : baseModelOf(typeof run.model === 'string' ? run.model : 'tiny'),
    settings,
    totalSteps: typeof run.total_steps === 'number' && run.total_steps > 0 ? run.total_steps : typeof state?.totalSteps === 'number' && state.totalSteps > 0 ? state.totalSteps : null,
    template: templateOf(ck, raw.template),
    lora,
    dpo: { beta: num(raw.dpoBeta, 0.1), loss: raw.dpoLoss === 'ipo' ? 'ipo' : 'sigmoid', labelSmoothing: num(raw.dpoLabelSmoothing, 0) },
  };
}

function num(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The saved template.json wins (it holds the source as trained); else a preset named in the config; else the default. */
function templateOf(ck: string | null, ref: unknown): ExportTemplate {
  const file = ck ? join(ck, 'template.json') : null;
  if (file && existsSync(file)) {
    const saved = readJson(file);
    const spec = saved.spec;
    if (!isObject(spec) || (spec.preset === undefined && spec.template === undefined)) throw new ExportError(`${file}: field "spec" needs "preset" or "template"`);
    const preset = typeof spec.preset === 'string' && isPresetName(spec.preset) && spec.template === undefined ? spec.preset : null;
    return { ref: typeof saved.ref === 'string' ? saved.ref : null, preset, spec: spec as RendererSpec };
  }
  if (typeof ref === 'string' && isPresetName(ref)) return { ref, preset: ref, spec: { preset: ref } };
  if (typeof ref === 'string') throw new ExportError(`the run names template ${JSON.stringify(ref)} but its checkpoint has no template.json to export it from`);
  return { ref: null, preset: 'byte-level', spec: { preset: 'byte-level' } };
}

const BUILTIN_NAMES = new Set(['tiny', 'scratch']);

/** Follows a run folder to its checkpoint and decides whether the model there is a Hugging Face one. */
export function baseModelOf(model: string): BaseModelRef {
  if (BUILTIN_NAMES.has(model)) return { kind: 'builtin', name: model };
  if (!existsSync(model) || !statSync(model).isDirectory()) return { kind: 'unknown', reason: `${model} is not a folder on this machine any more` };
  let dir = model;
  if (!existsSync(join(dir, 'config.json'))) {
    const inner = ['best', 'checkpoint'].map((d) => join(model, d)).find((d) => existsSync(join(d, 'config.json')));
    if (!inner) return { kind: 'unknown', reason: `${model} has no config.json (nor best/ or checkpoint/ with one)` };
    dir = inner;
  }
  let config: Record<string, unknown>;
  try {
    config = readJson(join(dir, 'config.json'));
  } catch (e) {
    return { kind: 'unknown', reason: (e as Error).message };
  }
  if (config.model_type === 'instruct-studio-gpt') {
    // A checkpoint of the built-in GPT: whatever it started from, a cluster cannot load it with transformers.
    return { kind: 'builtin', name: model };
  }
  const nameOrPath = config._name_or_path;
  const hubId = typeof nameOrPath === 'string' && /^[\w.-]+\/[\w.-]+$/.test(nameOrPath) ? nameOrPath : undefined;
  const modelType = typeof config.model_type === 'string' ? config.model_type : undefined;
  return { kind: 'folder', path: dir, ...(modelType ? { modelType } : {}), ...(hubId ? { hubId } : {}) };
}
