// `--model DIR` accepts a model folder (config.json + model.safetensors), a PEFT adapter folder, or a run folder: its best/ weights when
// an evaluation ran, else its latest checkpoint/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { existingCheckpointDir } from './checkpoint';

export class ModelDirError extends Error {}

export function resolveModelDir(dir: string): string {
  if (!existsSync(dir)) throw new ModelDirError(`${dir}: no such model folder`);
  // A LoRA run's checkpoints are PEFT adapter folders (adapter_config.json), loaded onto their base.
  const isModel = (d: string) => existsSync(join(d, 'config.json')) || existsSync(join(d, 'adapter_config.json'));
  if (isModel(dir)) return dir;
  if (isModel(join(dir, 'best'))) return join(dir, 'best');
  const ck = existingCheckpointDir(join(dir, 'checkpoint'));
  if (ck && isModel(ck)) return ck;
  throw new ModelDirError(`${dir}: not a model folder (no config.json, adapter_config.json, best/ or checkpoint/ inside)`);
}
