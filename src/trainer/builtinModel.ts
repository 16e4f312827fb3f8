// The built-in model names, accepted wherever a model is named (--model, --base, run configs, Start Training):
// `tiny` is the pre-trained base model shipped in media/models/base/ (made by scripts/pretrain-base.mjs), `scratch`
// is the same architecture from random weights (seeded by the run's seed).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BUILTIN_PRETRAINED = 'tiny';
export const BUILTIN_SCRATCH = 'scratch';
export const BUILTIN_MODELS: readonly string[] = [BUILTIN_PRETRAINED, BUILTIN_SCRATCH];

export const isBuiltinModel = (name: string | undefined): name is string => name !== undefined && BUILTIN_MODELS.includes(name);

/** The shipped base model's folder, relative to a checkout or an installed package. */
export const BASE_MODEL_PATH = join('media', 'models', 'base');

export class BuiltinModelError extends Error {}

/**
 * The shipped base model's folder: beside the bundle (dist/ → ../media, the installed extension or package) or the
 * sources (src/trainer → ../../media, a checkout under tsx).
 */
export function shippedBaseModelDir(): string {
  for (const root of [resolve(__dirname, '..'), resolve(__dirname, '../..')]) {
    const dir = join(root, BASE_MODEL_PATH);
    if (existsSync(join(dir, 'config.json'))) return dir;
  }
  throw new BuiltinModelError(`the built-in pre-trained model (${BASE_MODEL_PATH}) is missing from this installation; use --model scratch for random weights, or re-create it with scripts/pretrain-base.mjs`);
}

/** The folder a model name loads from: null for `scratch` (random weights), the shipped folder for `tiny`, else `name`. */
export function builtinModelDir(name: string): string | null {
  if (name === BUILTIN_SCRATCH) return null;
  if (name === BUILTIN_PRETRAINED) return shippedBaseModelDir();
  return name;
}
