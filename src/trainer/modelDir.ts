// `--model DIR` accepts a model folder (config.json + model.safetensors), or a run folder: its best/ weights when
// an evaluation ran, else its latest checkpoint/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { existingCheckpointDir } from './checkpoint';

export class ModelDirError extends Error {}

export function resolveModelDir(dir: string): string {
  if (!existsSync(dir)) throw new ModelDirError(`${dir}: no such model folder`);
  if (existsSync(join(dir, 'config.json'))) return dir;
  if (existsSync(join(dir, 'best', 'config.json'))) return join(dir, 'best');
  const ck = existingCheckpointDir(join(dir, 'checkpoint'));
  if (ck && existsSync(join(ck, 'config.json'))) return ck;
  throw new ModelDirError(`${dir}: not a model folder (no config.json, best/ or checkpoint/ inside)`);
}
