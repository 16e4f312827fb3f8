// A checkpoint is a folder: config.json (the model), model.safetensors, tokenizer.json, training_state.json (step,
// RNG, data order, schedule, early-stopping state) and optimizer.safetensors (Adam moments). A new checkpoint is
// written complete into a temp folder and swapped in by renames, so the previous one survives any crash; on load
// template.json (the chat template the run rendered with; absent in older checkpoints → the default) goes along;
// every file is checked (structure, sizes and a SHA-256 recorded at save) and a problem names the file.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, toFloat32 } from '../core/safetensors';
import { ByteTokenizer, BYTE_SPECIAL_TOKENS } from '../core/tokenizer/byteTokenizer';
import type { Tokenizer } from '../core/tokenizer/types';
import type { EngineState, GptConfig, ModelConfig, NamedArrays } from './engine/types';
import { BUILTIN_MODEL_TYPE } from '../core/modelFolder/hfConfig';
import { getPreset } from '../core/template';
import { loadHfModelFolder, type HfSource } from './hf/loadFolder';
import { writeHfModelFolder } from './hf/writeFolder';
import { writeFileAtomic, writeJsonAtomic } from './atomicFile';
import type { TrainConfig } from './config';
import type { SamplerState } from './sampler';
import type { SavedTemplate } from './template';
import { ADAPTER_WEIGHTS, isAdapterFolder, loadAdapterCheckpoint, mergedWeights, type AdapterCheckpoint } from './adapterCheckpoint';

export class CheckpointError extends Error {}

export interface TrainingState {
  /** Optimizer steps completed. */
  step: number;
  totalSteps: number;
  config: TrainConfig;
  sampler: SamplerState;
  bestEvalLoss: number | null;
  bestStep: number | null;
  evalsWithoutImprovement: number;
  elapsedSeconds: number;
  tokensSeen: number;
  /** Adam moments live in this file beside it (null when the checkpoint holds weights only). */
  optimizer: { file: string; step: number } | null;
  /** SHA-256 of each binary file, checked on load so a flipped byte is caught, not trained on. */
  files: Record<string, string>;
}

export interface Checkpoint {
  model: ModelConfig;
  tokenizer: Tokenizer;
  params: NamedArrays;
  optimizer: EngineState['optimizer'];
  state: TrainingState | null;
  /** The template training rendered with; null when the run used the default (and in checkpoints from before). */
  template?: SavedTemplate | null;
  /**
   * Set when the model came from a Hugging Face folder: the checkpoint is then written as one (its config.json,
   * tokenizer files, HF tensor names) so it loads back here and in transformers.
   */
  source?: HfSource | null;
  /** generation_config.json of a Hugging Face model (raw values), when it has one. */
  generationConfig?: Record<string, unknown> | null;
  /**
   * Set when the folder is a LoRA adapter folder (adapterCheckpoint.ts): `params` are then the base merged with the
   * adapters, and this holds the base and the adapters (with their optimizer state) apart, for resuming.
   */
  adapter?: AdapterCheckpoint;
}

const MODEL_TYPE = BUILTIN_MODEL_TYPE;

export function modelConfigJson(c: GptConfig): Record<string, unknown> {
  return {
    model_type: MODEL_TYPE,
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_embd: c.dModel,
    n_layer: c.nLayers,
    n_head: c.nHeads,
    n_inner: c.dFF ?? 4 * c.dModel,
    layer_norm_epsilon: c.layerNormEps ?? 1e-5,
    tie_word_embeddings: c.tieEmbeddings ?? true,
  };
}

export function tokenizerJson(t: Tokenizer): Record<string, unknown> {
  if (t.name !== 'byte-level') throw new CheckpointError(`cannot save tokenizer "${t.name}" yet`);
  return { type: 'byte-level', special_tokens: [...BYTE_SPECIAL_TOKENS], eos_token: t.eosToken, pad_id: t.padId };
}

/** Saves atomically: `dir` is either the old complete checkpoint or the new complete one, never a mix. */
export function saveCheckpoint(dir: string, ck: Omit<Checkpoint, 'state'> & { state: Omit<TrainingState, 'files' | 'optimizer'> | null }): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files: Record<string, string> = {};
  const writeBinary = (name: string, bytes: Uint8Array) => {
    writeFileAtomic(join(tmp, name), bytes);
    files[name] = sha256(bytes);
  };
  if (ck.source) {
    Object.assign(files, writeHfModelFolder(tmp, { config: ck.model, params: ck.params, baseConfig: ck.source.config, files: ck.source.files, chatTemplate: runChatTemplate(ck.template, ck.source) }));
  } else {
    writeBinary('model.safetensors', encodeSafetensors(ck.params, { format: 'pt', producer: 'instruct-studio' }));
  }
  let optimizer: TrainingState['optimizer'] = null;
  if (ck.optimizer) {
    const moments: NamedArrays = {};
    for (const [name, t] of Object.entries(ck.optimizer.m)) moments[`m.${name}`] = t;
    for (const [name, t] of Object.entries(ck.optimizer.v)) moments[`v.${name}`] = t;
    writeBinary('optimizer.safetensors', encodeSafetensors(moments, { step: String(ck.optimizer.step) }));
    optimizer = { file: 'optimizer.safetensors', step: ck.optimizer.step };
  }
  if (!ck.source) {
    writeJsonAtomic(join(tmp, 'config.json'), modelConfigJson(ck.model as GptConfig));
    writeJsonAtomic(join(tmp, 'tokenizer.json'), tokenizerJson(ck.tokenizer));
  }
  if (ck.template) writeJsonAtomic(join(tmp, 'template.json'), ck.template);
  // training_state.json goes last: it records the hashes of the files above.
  writeJsonAtomic(join(tmp, 'training_state.json'), ck.state ? { ...ck.state, optimizer, files } : { step: 0, weightsOnly: true, files });
  const old = `${dir}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** The folder to load: `dir`, or `dir.old` when a crash hit between the two renames of a save. */
export function existingCheckpointDir(dir: string): string | null {
  if (existsSync(join(dir, 'training_state.json'))) return dir;
  if (!existsSync(dir) && existsSync(join(`${dir}.old`, 'training_state.json'))) return `${dir}.old`;
  return existsSync(dir) ? dir : null;
}

export function loadCheckpoint(dir: string, { withOptimizer = true } = {}): Checkpoint {
  if (isAdapterFolder(dir)) {
    const ck = loadAdapterCheckpoint(dir, { withOptimizer });
    const params = mergedWeights(ck, join(dir, ADAPTER_WEIGHTS));
    return { model: ck.base.model, tokenizer: ck.base.tokenizer, params, optimizer: null, state: ck.state, template: ck.template, adapter: ck };
  }
  const path = (name: string) => join(dir, name);
  const readJson = (name: string): Record<string, unknown> => {
    let text: string;
    try {
      text = readFileSync(path(name), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CheckpointError(`${path(name)}: ${code === 'ENOENT' ? 'missing (incomplete checkpoint?)' : (e as Error).message}`);
    }
    try {
      const v = JSON.parse(text);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
      return v;
    } catch (e) {
      throw new CheckpointError(`${path(name)}: corrupt JSON (${(e as Error).message})`);
    }
  };
  const rawState = existsSync(path('training_state.json')) ? readJson('training_state.json') : null;
  const hashes = (rawState?.files ?? {}) as Record<string, string>;
  const readBinary = (name: string) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path(name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CheckpointError(`${path(name)}: ${code === 'ENOENT' ? 'missing (incomplete checkpoint?)' : (e as Error).message}`);
    }
    try {
      const contents = decodeSafetensors(bytes, path(name));
      if (hashes[name] && sha256(bytes) !== hashes[name]) throw new CheckpointError(`${path(name)}: corrupt: its SHA-256 differs from the one recorded when it was saved`);
      return contents;
    } catch (e) {
      throw e instanceof CheckpointError ? e : new CheckpointError((e as Error).message);
    }
  };
  const configJson = readJson('config.json');
  let model: ModelConfig;
  let tokenizer: Tokenizer;
  let params: NamedArrays = {};
  let source: HfSource | null = null;
  let hfTemplate: SavedTemplate | null = null;
  let generationConfig: Record<string, unknown> | null = null;
  if (configJson.model_type !== MODEL_TYPE && configJson.model_type !== undefined) {
    // A Hugging Face folder (a model as downloaded, or a checkpoint of a run that started from one).
    if (hashes['model.safetensors'] && existsSync(path('model.safetensors')) && sha256OfFile(path('model.safetensors')) !== hashes['model.safetensors']) {
      throw new CheckpointError(`${path('model.safetensors')}: corrupt: its SHA-256 differs from the one recorded when it was saved`);
    }
    let hf;
    try {
      hf = loadHfModelFolder(dir);
    } catch (e) {
      throw new CheckpointError((e as Error).message);
    }
    ({ config: model, tokenizer, params, source, template: hfTemplate, generationConfig } = hf);
  } else {
    model = parseModelConfig(configJson, path('config.json'));
    tokenizer = parseTokenizer(readJson('tokenizer.json'), path('tokenizer.json'));
    const weights = readBinary('model.safetensors');
    for (const [name, t] of weights.tensors) params[name] = { shape: t.shape, data: toFloat32(t, `${path('model.safetensors')}: ${name}`) };
  }
  let optimizer: Checkpoint['optimizer'] = null;
  let state: TrainingState | null = null;
  if (rawState && !rawState.weightsOnly) {
    state = checkState(rawState, path('training_state.json'));
    if (withOptimizer && state.optimizer) {
      const moments = readBinary(state.optimizer.file);
      const m: NamedArrays = {};
      const v: NamedArrays = {};
      for (const [name, t] of moments.tensors) {
        const target = name.startsWith('m.') ? m : name.startsWith('v.') ? v : null;
        if (!target) throw new CheckpointError(`${path(state.optimizer.file)}: unexpected tensor "${name}"`);
        target[name.slice(2)] = { shape: t.shape, data: toFloat32(t) };
      }
      for (const name of Object.keys(params)) {
        if (!m[name] || !v[name]) throw new CheckpointError(`${path(state.optimizer.file)}: no moments for parameter "${name}"`);
      }
      optimizer = { step: state.optimizer.step, m, v };
    }
  }
  // template.json is what a run rendered with; a Hugging Face model's own chat template is the default otherwise.
  const template = existsSync(path('template.json')) ? parseSavedTemplate(readJson('template.json'), path('template.json')) : hfTemplate;
  return { model, tokenizer, params, optimizer, state, template, source, generationConfig };
}

/**
 * The chat template a run rendered with, for an HF checkpoint's chat_template.jinja, so that transformers'
 * apply_chat_template renders as training did; undefined when it is the folder's own already (or not a chat template).
 */
export function runChatTemplate(template: SavedTemplate | null | undefined, source: HfSource): string | undefined {
  const spec = template?.spec;
  const chat = typeof spec?.template === 'string' ? spec.template : spec?.preset ? getPreset(spec.preset).templates.chat : undefined;
  if (chat === undefined) return undefined;
  let own = source.files['chat_template.jinja'];
  if (own === undefined && source.files['tokenizer_config.json']) {
    const v = (JSON.parse(source.files['tokenizer_config.json']) as { chat_template?: unknown }).chat_template;
    own = typeof v === 'string' ? v : Array.isArray(v) ? (v.find((e) => e?.name === 'default') ?? v[0])?.template : undefined;
  }
  return chat === own ? undefined : chat;
}

export function parseSavedTemplate(t: Record<string, unknown>, file: string): SavedTemplate {
  if (typeof t.ref !== 'string') throw new CheckpointError(`${file}: field "ref" must be a string`);
  const spec = t.spec as Record<string, unknown> | null;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new CheckpointError(`${file}: field "spec" must be an object`);
  if (spec.preset === undefined && spec.template === undefined) throw new CheckpointError(`${file}: field "spec" needs "preset" or "template"`);
  return { ref: t.ref, spec: spec as SavedTemplate['spec'] };
}

function parseModelConfig(c: Record<string, unknown>, file: string): GptConfig {
  if (c.model_type !== MODEL_TYPE) throw new CheckpointError(`${file}: model_type ${JSON.stringify(c.model_type)} is not "${MODEL_TYPE}"`);
  const int = (k: string) => {
    const v = c[k];
    if (!Number.isInteger(v) || (v as number) <= 0) throw new CheckpointError(`${file}: field "${k}" must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  return {
    vocabSize: int('vocab_size'), contextLength: int('n_positions'), dModel: int('n_embd'), nLayers: int('n_layer'), nHeads: int('n_head'),
    dFF: int('n_inner'), layerNormEps: typeof c.layer_norm_epsilon === 'number' ? c.layer_norm_epsilon : 1e-5, tieEmbeddings: c.tie_word_embeddings !== false,
  };
}

function parseTokenizer(t: Record<string, unknown>, file: string): Tokenizer {
  if (t.type !== 'byte-level') throw new CheckpointError(`${file}: tokenizer type ${JSON.stringify(t.type)} is not supported (only "byte-level" for now)`);
  const tok = new ByteTokenizer();
  if (JSON.stringify(t.special_tokens) !== JSON.stringify([...BYTE_SPECIAL_TOKENS])) throw new CheckpointError(`${file}: special tokens differ from the built-in byte-level tokenizer's`);
  return tok;
}

export function checkState(s: Record<string, unknown>, file: string): TrainingState {
  const need = (k: string, ok: (v: unknown) => boolean) => {
    if (!ok(s[k])) throw new CheckpointError(`${file}: field "${k}" is missing or malformed`);
  };
  const int = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  need('step', int);
  need('totalSteps', int);
  need('config', (v) => typeof v === 'object' && v !== null);
  need('sampler', (v) => typeof v === 'object' && v !== null && Array.isArray((v as SamplerState).rng) && Array.isArray((v as SamplerState).orders));
  need('elapsedSeconds', (v) => typeof v === 'number');
  need('tokensSeen', (v) => typeof v === 'number');
  need('evalsWithoutImprovement', int);
  need('bestEvalLoss', (v) => v === null || typeof v === 'number');
  need('optimizer', (v) => v === null || (typeof v === 'object' && /^[\w.-]+\.safetensors$/.test(String((v as { file: unknown }).file))));
  return s as unknown as TrainingState;
}

/** Hashed in chunks: a model's weights may be larger than one Buffer can hold. */
function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 24);
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
