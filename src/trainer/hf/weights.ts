// The weights of a Hugging Face folder as the engine's NamedArrays: one shard at a time (read, widened to float32,
// released before the next), names mapped to the engine's (GPT-2's `transformer.` prefix dropped, buffers skipped),
// every tensor checked against the shape the config implies. Errors name the tensor and the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, toFloat32 } from '../../core/safetensors';
import { engineTensorName, expectedTensors } from '../../core/modelFolder/tensors';
import type { ModelConfig, NamedArrays } from '../engine/types';

export class HfWeightsError extends Error {}

export function loadHfWeights(dir: string, files: readonly string[], config: ModelConfig): NamedArrays {
  const expected = expectedTensors(config);
  const params: NamedArrays = {};
  const from = new Map<string, string>();
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, file));
    } catch (e) {
      throw new HfWeightsError(`${join(dir, file)}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (e as Error).message}`);
    }
    let contents;
    try {
      contents = decodeSafetensors(bytes, join(dir, file));
    } catch (e) {
      throw new HfWeightsError((e as Error).message);
    }
    for (const [fileName, t] of contents.tensors) {
      const name = engineTensorName(config, fileName);
      if (name === null) continue;
      const where = `${join(dir, file)}: tensor "${fileName}"`;
      const want = expected.get(name);
      if (!want) throw new HfWeightsError(`${where} is not a parameter of this ${describeArch(config)} (unexpected name)`);
      if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) throw new HfWeightsError(`${where} has shape [${t.shape}], config.json implies [${want}]`);
      if (from.has(name)) throw new HfWeightsError(`${where} appears twice (also in ${from.get(name)})`);
      try {
        params[name] = { shape: [...t.shape], data: toFloat32(t, where) };
      } catch (e) {
        throw new HfWeightsError(`${(e as Error).message} (only F32, F16 and BF16 weights are loaded)`);
      }
      from.set(name, file);
    }
  }
  const missing = [...expected.keys()].filter((n) => !params[n]);
  if (missing.length) {
    throw new HfWeightsError(`${join(dir, files.length > 1 ? 'model.safetensors.index.json' : files[0] ?? 'model.safetensors')}: missing tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 4).map((n) => `"${n}"`).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}`);
  }
  return params;
}

function describeArch(c: ModelConfig): string {
  return c.architecture === 'llama' ? 'Llama-family model' : 'GPT-2 model';
}
