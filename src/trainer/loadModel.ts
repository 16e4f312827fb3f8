// A saved model as a ready engine: for eval and generate, outside training.
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
  /** The template the model was trained with (null: the default rendering). */
  template: SavedTemplate | null;
}

export async function loadModel(dir: string, threads?: number): Promise<LoadedModel> {
  const resolved = resolveModelDir(dir);
  const ck = loadCheckpoint(resolved, { withOptimizer: false });
  const engine = await createEngine({ config: ck.model, seed: 0, params: ck.params, threads });
  return { dir: resolved, engine, tokenizer: ck.tokenizer, contextLength: ck.model.contextLength, template: ck.template ?? null };
}
