// The weights of a Hugging Face folder as the engine's NamedArrays, streamed: each shard's header is read, then
// one tensor at a time is read from its byte range and widened to float32, so memory holds the float32 weights and
// one tensor's raw bytes, never a whole (multi-gigabyte) shard. Names are mapped to the engine's (GPT-2's
// `transformer.` prefix dropped, buffers skipped), every tensor is checked against the shape the config implies.
// Errors name the tensor and the file.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsHeader, toFloat32, type SafetensorsDtype, type SafetensorsHeader } from '../../core/safetensors';
import { engineTensorName, expectedTensors } from '../../core/modelFolder/tensors';
import type { ModelConfig, NamedArrays } from '../engine/types';

export class HfWeightsError extends Error {}

export function loadHfWeights(dir: string, files: readonly string[], config: ModelConfig): NamedArrays {
  const expected = expectedTensors(config);
  const params: NamedArrays = {};
  const from = new Map<string, string>();
  for (const file of files) {
    const path = join(dir, file);
    let header: SafetensorsHeader;
    let fd: number;
    try {
      header = readSafetensorsHeader(path);
      fd = openSync(path, 'r');
    } catch (e) {
      throw new HfWeightsError((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${path}: missing` : (e as Error).message);
    }
    try {
      for (const [fileName, t] of header.tensors) {
        const name = engineTensorName(config, fileName);
        if (name === null) continue;
        const where = `${path}: tensor "${fileName}"`;
        const want = expected.get(name);
        if (!want) throw new HfWeightsError(`${where} is not a parameter of this ${describeArch(config)} (unexpected name)`);
        if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) throw new HfWeightsError(`${where} has shape [${t.shape}], config.json implies [${want}]`);
        if (from.has(name)) throw new HfWeightsError(`${where} appears twice (also in ${from.get(name)})`);
        const width = FLOAT_BYTES[t.dtype];
        if (!width) throw new HfWeightsError(`${where} is ${t.dtype}: only F32, F16 and BF16 weights are loaded (quantized weights are not)`);
        const size = t.shape.reduce((a, b) => a * b, 1) * width;
        if (t.end - t.begin !== size) throw new HfWeightsError(`${where}: ${t.end - t.begin} bytes for shape [${t.shape}] of ${t.dtype}, expected ${size}`);
        const bytes = new Uint8Array(size);
        for (let off = 0; off < size; ) {
          const n = readSync(fd, bytes, off, size - off, header.dataStart + t.begin + off);
          if (n === 0) throw new HfWeightsError(`${where}: the file ends inside its data (truncated?)`);
          off += n;
        }
        params[name] = { shape: [...t.shape], data: toFloat32({ dtype: t.dtype, shape: t.shape, bytes }, where) };
        from.set(name, file);
      }
    } finally {
      closeSync(fd);
    }
  }
  const missing = [...expected.keys()].filter((n) => !params[n]);
  if (missing.length) {
    throw new HfWeightsError(`${join(dir, files.length > 1 ? 'model.safetensors.index.json' : files[0] ?? 'model.safetensors')}: missing tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 4).map((n) => `"${n}"`).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}`);
  }
  return params;
}

const FLOAT_BYTES: Partial<Record<SafetensorsDtype, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

function describeArch(c: ModelConfig): string {
  return c.architecture === 'llama' ? 'Llama-family model' : 'GPT-2 model';
}
