// A LoRA run's checkpoint is a PEFT adapter folder: adapter_config.json and adapter_model.safetensors as
// `peft.PeftModel.from_pretrained(base, dir)` reads them (keys `base_model.model.<module>.lora_A.weight`), plus this
// product's training_state.json, optimizer.safetensors (the adapters' Adam moments) and template.json for resume.
// The base weights are not copied: adapter_config.json's base_model_name_or_path names the base model folder.
// Saved like every checkpoint: complete in a temp folder, then swapped in by renames; files checked by SHA-256.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { decodeSafetensors, encodeSafetensors, toFloat32 } from '../core/safetensors';
import type { AdapterState, ModelConfig, NamedArrays } from './engine/types';
import { mergeAdapters, type LoraOptions } from './engine/lora';
import { writeFileAtomic, writeJsonAtomic } from './atomicFile';
import { CheckpointError, checkState, loadCheckpoint, parseSavedTemplate, type Checkpoint, type TrainingState } from './checkpoint';
import type { SavedTemplate } from './template';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/** What adapter_config.json says, in engine terms. */
export interface AdapterSettings {
  r: number;
  alpha: number;
  targets: string[];
  /** base_model_name_or_path as written. */
  baseModel: string;
  /** PEFT's fan_in_fan_out: true for GPT-2's Conv1D weights ([in, out]). */
  fanInFanOut: boolean;
}

/** A loaded adapter folder: the base it applies to and the adapters with their optimizer state. */
export interface AdapterCheckpoint {
  settings: AdapterSettings;
  /** The base model folder it was resolved to. */
  baseDir: string;
  base: Checkpoint;
  adapter: AdapterState;
}

export function isAdapterFolder(dir: string): boolean {
  return existsSync(join(dir, ADAPTER_CONFIG));
}

/** adapter_config.json with the fields PEFT's LoraConfig has had since 0.3, so old and new `peft` both load it. */
export function adapterConfigJson(s: AdapterSettings, inferenceMode: boolean): Record<string, unknown> {
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: s.baseModel,
    revision: null,
    inference_mode: inferenceMode,
    r: s.r,
    lora_alpha: s.alpha,
    lora_dropout: 0,
    target_modules: s.targets,
    fan_in_fan_out: s.fanInFanOut,
    bias: 'none',
    modules_to_save: null,
    init_lora_weights: true,
    layers_to_transform: null,
    layers_pattern: null,
  };
}

export function parseAdapterConfig(c: Record<string, unknown>, file: string): AdapterSettings {
  const bad = (field: string, why: string): never => { throw new CheckpointError(`${file}: field "${field}" ${why}`); };
  if (c.peft_type !== 'LORA') bad('peft_type', `is ${JSON.stringify(c.peft_type)}; only "LORA" adapters are supported`);
  if (c.task_type !== undefined && c.task_type !== null && c.task_type !== 'CAUSAL_LM') bad('task_type', `is ${JSON.stringify(c.task_type)}; only "CAUSAL_LM" is supported`);
  if (!(Number.isInteger(c.r) && (c.r as number) > 0)) bad('r', `must be a positive integer, got ${JSON.stringify(c.r)}`);
  if (!(typeof c.lora_alpha === 'number' && c.lora_alpha > 0)) bad('lora_alpha', `must be a positive number, got ${JSON.stringify(c.lora_alpha)}`);
  const targets = typeof c.target_modules === 'string' ? [c.target_modules] : c.target_modules;
  if (!Array.isArray(targets) || !targets.length || !targets.every((t) => typeof t === 'string' && t)) bad('target_modules', 'must be a non-empty list of module names');
  if (c.bias !== undefined && c.bias !== 'none') bad('bias', `is ${JSON.stringify(c.bias)}; only "none" is supported`);
  for (const f of ['use_dora', 'use_rslora'] as const) if (c[f] === true) bad(f, 'is true; not supported');
  if (c.modules_to_save !== undefined && c.modules_to_save !== null && !(Array.isArray(c.modules_to_save) && c.modules_to_save.length === 0)) bad('modules_to_save', 'is not supported (only LoRA matrices are loaded)');
  for (const f of ['rank_pattern', 'alpha_pattern'] as const) {
    const v = c[f];
    if (v !== undefined && v !== null && Object.keys(v as object).length) bad(f, 'is not supported (one rank and alpha for all modules)');
  }
  if (typeof c.base_model_name_or_path !== 'string' || !c.base_model_name_or_path) bad('base_model_name_or_path', 'must name the base model folder');
  return { r: c.r as number, alpha: c.lora_alpha as number, targets: targets as string[], baseModel: c.base_model_name_or_path as string, fanInFanOut: c.fan_in_fan_out === true };
}

export interface AdapterCheckpointToSave {
  settings: AdapterSettings;
  adapter: AdapterState;
  /** Training state for resume; null: adapters only (best/, exports). */
  state: Omit<TrainingState, 'files' | 'optimizer'> | null;
  template?: SavedTemplate | null;
}

/** Writes the adapter folder atomically: `dir` is the old complete folder or the new complete one, never a mix. */
export function saveAdapterCheckpoint(dir: string, ck: AdapterCheckpointToSave): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeAdapterFiles(tmp, ck);
  const old = `${dir}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** The files of an adapter folder, written into `dir` (which must exist). */
export function writeAdapterFiles(dir: string, ck: AdapterCheckpointToSave): void {
  const files: Record<string, string> = {};
  const writeBinary = (name: string, bytes: Uint8Array) => {
    writeFileAtomic(join(dir, name), bytes);
    files[name] = createHash('sha256').update(bytes).digest('hex');
  };
  writeBinary(ADAPTER_WEIGHTS, encodeSafetensors(ck.adapter.weights, { format: 'pt' }));
  let optimizer: TrainingState['optimizer'] = null;
  const withState = ck.state !== null;
  if (withState && ck.adapter.optimizer) {
    const moments: NamedArrays = {};
    for (const [name, t] of Object.entries(ck.adapter.optimizer.m)) moments[`m.${name}`] = t;
    for (const [name, t] of Object.entries(ck.adapter.optimizer.v)) moments[`v.${name}`] = t;
    writeBinary('optimizer.safetensors', encodeSafetensors(moments, { step: String(ck.adapter.optimizer.step) }));
    optimizer = { file: 'optimizer.safetensors', step: ck.adapter.optimizer.step };
  }
  writeJsonAtomic(join(dir, ADAPTER_CONFIG), adapterConfigJson(ck.settings, !withState));
  if (ck.template) writeJsonAtomic(join(dir, 'template.json'), ck.template);
  writeJsonAtomic(join(dir, 'training_state.json'), ck.state ? { ...ck.state, optimizer, files } : { step: 0, weightsOnly: true, files });
}

/**
 * Where the base model is: base_model_name_or_path as an existing folder (absolute, or relative to the adapter
 * folder), else the run's own `base/` (a built-in base saved with the run), else the model the run's run.json
 * names. An error names the field when none of them exists.
 */
export function resolveBaseDir(adapterDir: string, baseModel: string): string {
  const tried: string[] = [];
  const candidates = [isAbsolute(baseModel) ? baseModel : resolve(adapterDir, baseModel)];
  const run = runFolderOf(adapterDir);
  if (run) {
    candidates.push(join(run, 'base'));
    const info = readJson(join(run, 'run.json'));
    if (typeof info?.model === 'string' && info.model !== 'tiny' && info.model !== 'scratch') candidates.push(info.model);
  }
  for (const c of candidates) {
    tried.push(c);
    if (existsSync(join(c, 'config.json'))) return c;
  }
  throw new CheckpointError(`${join(adapterDir, ADAPTER_CONFIG)}: field "base_model_name_or_path" names ${JSON.stringify(baseModel)}, which is not a model folder here (looked in ${tried.join(', ')}); edit it to point at the base model`);
}

/** The run folder around a checkpoint/ or best/ folder (or their .old twin), if it is one. */
function runFolderOf(dir: string): string | null {
  const name = basename(dir);
  if (!/^(checkpoint|best)(\.old)?$/.test(name)) return null;
  const run = dirname(dir);
  return existsSync(join(run, 'run.json')) ? run : null;
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    return typeof v === 'object' && v !== null ? v : null;
  } catch {
    return null;
  }
}

export function loadAdapterCheckpoint(dir: string, { withOptimizer = true } = {}): AdapterCheckpoint & { state: TrainingState | null; template: SavedTemplate | null } {
  const path = (name: string) => join(dir, name);
  const json = (name: string): Record<string, unknown> => {
    let text: string;
    try {
      text = readFileSync(path(name), 'utf8');
    } catch (e) {
      throw new CheckpointError(`${path(name)}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing (incomplete adapter folder?)' : (e as Error).message}`);
    }
    try {
      const v = JSON.parse(text);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
      return v;
    } catch (e) {
      throw new CheckpointError(`${path(name)}: corrupt JSON (${(e as Error).message})`);
    }
  };
  const settings = parseAdapterConfig(json(ADAPTER_CONFIG), path(ADAPTER_CONFIG));
  const rawState = existsSync(path('training_state.json')) ? json('training_state.json') : null;
  const hashes = (rawState?.files ?? {}) as Record<string, string>;
  const tensors = (name: string): NamedArrays => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path(name));
    } catch (e) {
      throw new CheckpointError(`${path(name)}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing (incomplete adapter folder?)' : (e as Error).message}`);
    }
    if (hashes[name] && createHash('sha256').update(bytes).digest('hex') !== hashes[name]) {
      throw new CheckpointError(`${path(name)}: corrupt: its SHA-256 differs from the one recorded when it was saved`);
    }
    let contents;
    try {
      contents = decodeSafetensors(bytes, path(name));
    } catch (e) {
      throw new CheckpointError((e as Error).message);
    }
    const out: NamedArrays = {};
    for (const [k, t] of contents.tensors) out[k] = { shape: t.shape, data: toFloat32(t, `${path(name)}: ${k}`) };
    return out;
  };
  // PEFT's own files may carry the adapter name in the key (`.lora_A.default.weight` in some versions): drop it.
  const weights: NamedArrays = {};
  for (const [k, t] of Object.entries(tensors(ADAPTER_WEIGHTS))) weights[k.replace(/\.(lora_[AB])\.default\.weight$/, '.$1.weight')] = t;
  let state: TrainingState | null = null;
  let optimizer: AdapterState['optimizer'] = null;
  if (rawState && !rawState.weightsOnly) {
    state = checkState(rawState, path('training_state.json'));
    if (withOptimizer && state.optimizer) {
      const m: NamedArrays = {};
      const v: NamedArrays = {};
      for (const [name, t] of Object.entries(tensors(state.optimizer.file))) {
        const target = name.startsWith('m.') ? m : name.startsWith('v.') ? v : null;
        if (!target) throw new CheckpointError(`${path(state.optimizer.file)}: unexpected tensor "${name}"`);
        target[name.slice(2)] = t;
      }
      for (const name of Object.keys(weights)) {
        if (!m[name] || !v[name]) throw new CheckpointError(`${path(state.optimizer.file)}: no moments for adapter "${name}"`);
      }
      optimizer = { step: state.optimizer.step, m, v };
    }
  }
  const baseDir = resolveBaseDir(dir, settings.baseModel);
  const base = loadCheckpoint(baseDir, { withOptimizer: false });
  const template = existsSync(path('template.json')) ? parseSavedTemplate(json('template.json'), path('template.json')) : base.template ?? null;
  return { settings, baseDir, base, adapter: { weights, optimizer }, state, template };
}

/** The engine's LoRA options for an adapter folder's settings. */
export function loraOptionsOf(s: AdapterSettings): LoraOptions {
  return { r: s.r, alpha: s.alpha, dropout: 0, targets: s.targets };
}

/** Base + adapters merged into plain weights (what eval, generate and `export --merge` run). */
export function mergedWeights(ck: AdapterCheckpoint, file: string): NamedArrays {
  try {
    return mergeAdapters(ck.base.model as ModelConfig, ck.base.params, ck.adapter.weights, loraOptionsOf(ck.settings));
  } catch (e) {
    throw new CheckpointError(`${file}: ${(e as Error).message}`);
  }
}
