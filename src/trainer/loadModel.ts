// A saved model as a ready engine: for eval and generate, outside training. A built-in checkpoint, a run folder, or
// a Hugging Face model folder (GPT-2, Llama family) with its tokenizer, chat template and generation defaults.
import type { Tokenizer } from '../core/tokenizer/types';
import type { Engine } from './engine/types';
import { createEngine } from './engine';
import { loadCheckpoint } from './checkpoint';
import { resolveModelDir } from './modelDir';
import type { SavedTemplate } from './template';
import { BUILTIN_SCRATCH, builtinModelDir } from './builtinModel';
import { ByteTokenizer } from '../core/tokenizer/byteTokenizer';
import { DEFAULT_CONFIG, gptConfigOf } from './config';

export interface LoadedModel {
  dir: string;
  engine: Engine;
  tokenizer: Tokenizer;
  contextLength: number;
  /** The template the model was trained with, or a Hugging Face model's own chat template (null: the default rendering). */
  template: SavedTemplate | null;
  /** generation_config.json of a Hugging Face model (raw values): defaults for sampling and stop tokens. */
  generationConfig?: Record<string, unknown> | null;
}

export async function loadModel(dir: string, threads?: number): Promise<LoadedModel> {
  const resolved = resolveModelDir(dir);
  const ck = loadCheckpoint(resolved, { withOptimizer: false });
  const engine = await createEngine({ config: ck.model, seed: 0, params: ck.params, threads });
  return { dir: resolved, engine, tokenizer: ck.tokenizer, contextLength: ck.model.contextLength, template: ck.template ?? null, generationConfig: ck.generationConfig ?? null };
}

/**
 * A model by the name a user gives it: `tiny` (the shipped pre-trained base), `scratch` (the same architecture as a
 * run from scratch trains, random weights from `seed`), or a model / run folder.
 */
export async function loadNamedModel(name: string, opts: { seed?: number; threads?: number } = {}): Promise<LoadedModel> {
  const dir = builtinModelDir(name);
  if (dir !== null) return loadModel(dir, opts.threads);
  const tokenizer = new ByteTokenizer();
  const config = gptConfigOf(DEFAULT_CONFIG, tokenizer.vocabSize);
  const engine = await createEngine({ config, seed: opts.seed ?? DEFAULT_CONFIG.seed, threads: opts.threads });
  return { dir: BUILTIN_SCRATCH, engine, tokenizer, contextLength: config.contextLength, template: null };
}
