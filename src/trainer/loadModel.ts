// A saved model as a ready engine: for eval and generate, outside training. A built-in checkpoint, a run folder, or
// a Hugging Face model folder (GPT-2, Llama family) with its tokenizer, chat template and generation defaults.
import type { Tokenizer } from '../core/tokenizer/types';
import type { Engine } from './engine/types';
import { createEngine } from './engine';
import { loadCheckpoint } from './checkpoint';
import { resolveModelDir } from './modelDir';
import type { SavedTemplate } from './template';

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
