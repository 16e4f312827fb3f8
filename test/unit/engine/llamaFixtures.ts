// Reads the tiny Llama-family checkpoints of test/fixtures/hf/llama-* (made by scripts/hf-fixtures/llama.py):
// config.json through llamaConfigFromHf, weights and the torch reference through the safetensors decoder.
// A test helper, not a model loader: the general HF folder loader lives in src/trainer/hf/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, toFloat32, type RawTensor } from '../../../src/core/safetensors';
import { llamaConfigFromHf } from '../../../src/trainer/engine/llamaConfig';
import type { Batch, LlamaConfig, NamedArrays } from '../../../src/trainer/engine/types';

export const LLAMA_FIXTURES = ['llama-llama3-gqa', 'llama-qwen2-tied-bias', 'llama-linear-mha'] as const;

export interface LlamaFixture {
  name: string;
  json: Record<string, unknown>;
  config: LlamaConfig;
  params: NamedArrays;
  /** The reference batch: row 1 packs two sequences (segments). */
  batch: Batch;
  /** Torch float64 logits [B, T, V], Σ w·nll, and d(Σ w·nll)/dθ by parameter name. */
  logits: Float32Array;
  lossSum: number;
  grads: Map<string, Float32Array>;
}

function ints(t: RawTensor): Int32Array {
  if (t.dtype !== 'I32') throw new Error(`expected I32, got ${t.dtype}`);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  return Int32Array.from({ length: t.bytes.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
}

export function loadLlamaFixture(name: string): LlamaFixture {
  const dir = join(__dirname, '../../fixtures/hf', name);
  const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const config = llamaConfigFromHf(json, join(dir, 'config.json'));
  const model = decodeSafetensors(readFileSync(join(dir, 'model.safetensors')), 'model.safetensors');
  const params: NamedArrays = {};
  for (const [k, t] of model.tensors) params[k] = { shape: t.shape, data: toFloat32(t, k) };
  const ref = decodeSafetensors(readFileSync(join(dir, 'reference.safetensors')), 'reference.safetensors').tensors;
  const get = (k: string) => ref.get(k) ?? (() => { throw new Error(`${name}: reference has no ${k}`); })();
  const [B, T] = get('tokens').shape;
  const grads = new Map<string, Float32Array>();
  for (const [k, t] of ref) if (k.startsWith('grad.')) grads.set(k.slice(5), toFloat32(t, k));
  return {
    name, json, config, params,
    batch: {
      batchSize: B, seqLen: T,
      tokens: ints(get('tokens')), targets: ints(get('targets')), weights: toFloat32(get('weights')), segments: ints(get('segments')),
    },
    logits: toFloat32(get('logits')),
    lossSum: toFloat32(get('loss_sum'))[0],
    grads,
  };
}

/**
 * Each packed sequence's prefixes with the flat index of its last token: the reference logits at that index
 * are the next-token logits after the prefix (positions restart and attention stops at a segment change).
 */
export function prefixes(batch: Batch): Array<{ tokens: number[]; index: number }> {
  const out: Array<{ tokens: number[]; index: number }> = [];
  const { batchSize: B, seqLen: T, tokens, segments } = batch;
  for (let r = 0; r < B; r++) {
    let start = 0;
    for (let t = 0; t < T; t++) {
      const i = r * T + t;
      if (t > 0 && segments && segments[i] !== segments[i - 1]) start = t;
      out.push({ tokens: Array.from(tokens.subarray(r * T + start, i + 1)), index: i });
    }
  }
  return out;
}
