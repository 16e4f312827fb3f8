// The Llama family's config: from a Hugging Face config.json (LlamaForCausalLM and the Llama-compatible
// Qwen2 / Mistral configs, which SmolLM, TinyLlama and Llama 3.x use too), and the checks the engine relies on.
// Defaults for absent fields are those of the transformers config class of the file's model_type.
import type { LlamaConfig } from './types';

type Json = Record<string, unknown>;

const SUPPORTED: Record<string, { architecture: string; maxPositions: number }> = {
  llama: { architecture: 'LlamaForCausalLM', maxPositions: 2048 },
  qwen2: { architecture: 'Qwen2ForCausalLM', maxPositions: 32768 },
  mistral: { architecture: 'MistralForCausalLM', maxPositions: 4096 * 32 },
};

/** The config.json field behind each LlamaConfig field, for errors. */
const HF_FIELD: Record<string, string> = {
  vocabSize: 'vocab_size', contextLength: 'max_position_embeddings', dModel: 'hidden_size', nLayers: 'num_hidden_layers',
  nHeads: 'num_attention_heads', nKvHeads: 'num_key_value_heads', headDim: 'head_dim', dFF: 'intermediate_size',
  rmsNormEps: 'rms_norm_eps', ropeTheta: 'rope_theta', ropeScaling: 'rope_scaling',
};

/** Whether a config.json describes a model this mapping accepts (by `architectures`, or by `model_type`). */
export function isLlamaFamily(json: Json): boolean {
  const archs = Array.isArray(json.architectures) ? json.architectures : [];
  return archs.some((a) => Object.values(SUPPORTED).some((s) => s.architecture === a))
    || (archs.length === 0 && typeof json.model_type === 'string' && Object.hasOwn(SUPPORTED, json.model_type));
}

/**
 * Maps a Hugging Face config.json (parsed) to a LlamaConfig; `file` names it in errors. Refuses what the engine
 * would compute differently from transformers (other activations, other RoPE scalings, biases it does not hold).
 */
export function llamaConfigFromHf(json: Json, file: string): LlamaConfig {
  const fail = (field: string, why: string): never => { throw new Error(`${file}: "${field}" ${why}`); };
  const archs = Array.isArray(json.architectures) ? json.architectures : [];
  const modelType = typeof json.model_type === 'string' ? json.model_type
    : Object.keys(SUPPORTED).find((k) => archs.includes(SUPPORTED[k].architecture));
  if (modelType === undefined || !Object.hasOwn(SUPPORTED, modelType)) {
    fail('model_type', `is ${JSON.stringify(json.model_type ?? null)}: supported are ${Object.keys(SUPPORTED).join(', ')} (${Object.values(SUPPORTED).map((s) => s.architecture).join(', ')})`);
  }
  const family = SUPPORTED[modelType!];
  const int = (field: string, fallback?: number): number => {
    const v = json[field] ?? fallback;
    if (v === undefined) fail(field, 'is missing');
    if (!(Number.isInteger(v) && (v as number) > 0)) fail(field, `must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const num = (field: string, fallback: number): number => {
    const v = json[field] ?? fallback;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) fail(field, `must be a positive number, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const bool = (field: string, fallback: boolean): boolean => {
    const v = json[field] ?? fallback;
    if (typeof v !== 'boolean') fail(field, `must be true or false, got ${JSON.stringify(v)}`);
    return v as boolean;
  };

  const act = json.hidden_act ?? 'silu';
  if (act !== 'silu') fail('hidden_act', `is ${JSON.stringify(act)}: only "silu" (SwiGLU) is supported`);
  // Llama's attention_bias also puts a bias on o_proj, and mlp_bias on the MLP: parameters this engine does not hold.
  if (modelType === 'llama' && json.attention_bias === true) fail('attention_bias', 'is true: biases on Llama attention projections (including o_proj) are not supported');
  if (json.mlp_bias === true) fail('mlp_bias', 'is true: MLP biases are not supported');

  const nHeads = int('num_attention_heads');
  const dModel = int('hidden_size');
  const nKvHeads = int('num_key_value_heads', nHeads);
  let contextLength = int('max_position_embeddings', family.maxPositions);
  // Sliding-window attention equals full attention on sequences no longer than the window: cap the context there.
  const slides = modelType === 'mistral' || (modelType === 'qwen2' && json.use_sliding_window === true);
  if (slides && json.sliding_window !== null && json.sliding_window !== undefined) contextLength = Math.min(contextLength, int('sliding_window'));
  // transformers 5 moves rope_theta and the scaling into one rope_parameters object.
  const rope = typeof json.rope_parameters === 'object' && json.rope_parameters !== null ? json.rope_parameters as Json : null;
  const ropeNum = (field: string, fallback: number): number => {
    const v = rope![field] ?? fallback;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) fail(`rope_parameters.${field}`, `must be a positive number, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const config: LlamaConfig = {
    architecture: 'llama',
    vocabSize: int('vocab_size'),
    contextLength,
    dModel,
    nLayers: int('num_hidden_layers'),
    nHeads,
    nKvHeads,
    headDim: int('head_dim', Math.floor(dModel / nHeads)),
    dFF: int('intermediate_size'),
    rmsNormEps: num('rms_norm_eps', 1e-6),
    ropeTheta: rope ? ropeNum('rope_theta', 10000) : num('rope_theta', 10000),
    ropeScaling: ropeScalingFromHf(rope ?? json.rope_scaling, rope ? 'rope_parameters' : 'rope_scaling', fail),
    attentionBias: modelType === 'qwen2',
    tieEmbeddings: bool('tie_word_embeddings', false),
  };
  try {
    validateLlamaConfig(config);
  } catch (e) {
    // Name the config.json field the user can fix, not the engine's.
    const message = (e as Error).message;
    const field = /^LlamaConfig\.(\w+)/.exec(message)?.[1];
    if (field && HF_FIELD[field]) fail(HF_FIELD[field], message.replace(/^LlamaConfig\.\w+ /, ''));
    throw new Error(`${file}: ${message}`);
  }
  return config;
}

function ropeScalingFromHf(raw: unknown, key: string, fail: (field: string, why: string) => never): LlamaConfig['ropeScaling'] {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(key, `must be an object or null, got ${JSON.stringify(raw)}`);
  const r = raw as Json;
  // transformers ≥ 4.45 writes rope_type; older files say type.
  const type = r.rope_type ?? r.type;
  const num = (field: string): number => {
    const v = r[field];
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) fail(`${key}.${field}`, `must be a positive number, got ${JSON.stringify(v)}`);
    return v as number;
  };
  if (type === 'default' || (type === undefined && key === 'rope_parameters')) return null;
  if (type === 'linear') return { type: 'linear', factor: num('factor') };
  if (type === 'llama3') {
    return {
      type: 'llama3',
      factor: num('factor'),
      lowFreqFactor: num('low_freq_factor'),
      highFreqFactor: num('high_freq_factor'),
      originalMaxPositionEmbeddings: num('original_max_position_embeddings'),
    };
  }
  return fail(`${key}.rope_type`, `is ${JSON.stringify(type ?? null)}: supported are "default", "linear" and "llama3"`);
}

/**
 * The config.json transformers needs to load these weights: LlamaForCausalLM, or Qwen2ForCausalLM when q/k/v carry
 * biases (a Llama config's attention_bias would also expect an o_proj bias). llamaConfigFromHf reads it back equal.
 */
export function llamaConfigToHf(c: LlamaConfig): Record<string, unknown> {
  validateLlamaConfig(c);
  const qwen = c.attentionBias;
  const s = c.ropeScaling;
  return {
    architectures: [qwen ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: qwen ? 'qwen2' : 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.dModel,
    intermediate_size: c.dFF,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    max_position_embeddings: c.contextLength,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: s === null ? null
      : s.type === 'linear' ? { rope_type: 'linear', factor: s.factor }
        : {
          rope_type: 'llama3', factor: s.factor, low_freq_factor: s.lowFreqFactor, high_freq_factor: s.highFreqFactor,
          original_max_position_embeddings: s.originalMaxPositionEmbeddings,
        },
    ...(qwen ? { use_sliding_window: false } : { attention_bias: false, mlp_bias: false }),
    tie_word_embeddings: c.tieEmbeddings,
    torch_dtype: 'float32',
  };
}

/** The checks every LlamaConfig passes before the engine builds on it (a hand-written one included). */
export function validateLlamaConfig(c: LlamaConfig): void {
  for (const k of ['vocabSize', 'contextLength', 'dModel', 'nLayers', 'nHeads', 'nKvHeads', 'headDim', 'dFF'] as const) {
    if (!(Number.isInteger(c[k]) && c[k] > 0)) throw new Error(`LlamaConfig.${k} must be a positive integer, got ${c[k]}`);
  }
  for (const k of ['rmsNormEps', 'ropeTheta'] as const) {
    if (!(c[k] > 0 && Number.isFinite(c[k]))) throw new Error(`LlamaConfig.${k} must be a positive number, got ${c[k]}`);
  }
  if (c.nHeads % c.nKvHeads !== 0) throw new Error(`LlamaConfig.nKvHeads must divide the number of attention heads (${c.nHeads}), got ${c.nKvHeads}`);
  if (c.headDim % 2 !== 0) throw new Error(`LlamaConfig.headDim must be even for RoPE, got ${c.headDim}`);
  const s = c.ropeScaling;
  if (s && !(s.factor > 0)) throw new Error(`LlamaConfig.ropeScaling.factor must be positive, got ${s.factor}`);
  if (s?.type === 'llama3' && !(s.highFreqFactor > s.lowFreqFactor)) {
    throw new Error(`LlamaConfig.ropeScaling: highFreqFactor (${s.highFreqFactor}) must exceed lowFreqFactor (${s.lowFreqFactor})`);
  }
}
