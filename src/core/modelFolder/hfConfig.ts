// config.json → the engine's config. Hugging Face GPT-2 (`GPT2LMHeadModel`) maps onto the built-in GPT (same
// architecture, same parameter names); the Llama family (`LlamaForCausalLM`, and the Qwen2 / Mistral configs that are
// Llama with a twist the engine covers) onto LlamaConfig. Anything the engine would compute differently is refused
// with the field to blame, never approximated.
import type { GptConfig, LlamaConfig, ModelConfig } from '../../trainer/engine/types';
import type { ModelFolderKind, ModelFolderProblem } from './types';

export const BUILTIN_MODEL_TYPE = 'instruct-studio-gpt';

export interface ParsedModelConfig {
  kind: ModelFolderKind;
  architectureName: string;
  modelType: string;
  config: ModelConfig | null;
  problems: ModelFolderProblem[];
}

const LLAMA_TYPES: Record<string, string> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', mistral: 'MistralForCausalLM' };
/** Activations that are GPT-2's gelu_new under another name (the same tanh approximation). */
const GELU_NEW = new Set(['gelu_new', 'gelu_pytorch_tanh']);

export function parseModelConfigJson(c: Record<string, unknown>, file = 'config.json'): ParsedModelConfig {
  const problems: ModelFolderProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ file, field, message });
  const modelType = typeof c.model_type === 'string' ? c.model_type : '';
  const archs = Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === 'string') : [];
  const int = (k: string, fallback?: number): number => {
    const v = c[k] ?? fallback;
    if (!Number.isInteger(v) || (v as number) <= 0) {
      problem(k, v === undefined ? `"${k}" is missing` : `"${k}" must be a positive integer, got ${JSON.stringify(v)}`);
      return NaN;
    }
    return v as number;
  };
  const num = (k: string, fallback: number): number => {
    const v = c[k] ?? fallback;
    if (typeof v !== 'number' || !(v > 0)) {
      problem(k, `"${k}" must be a positive number, got ${JSON.stringify(v)}`);
      return NaN;
    }
    return v;
  };
  const done = (kind: ModelFolderKind, architectureName: string, config: ModelConfig | null): ParsedModelConfig =>
    ({ kind, architectureName, modelType, config: problems.length ? null : config, problems });

  if (modelType === BUILTIN_MODEL_TYPE) {
    const config: GptConfig = {
      vocabSize: int('vocab_size'), contextLength: int('n_positions'), dModel: int('n_embd'), nLayers: int('n_layer'), nHeads: int('n_head'),
      dFF: int('n_inner'), layerNormEps: num('layer_norm_epsilon', 1e-5), tieEmbeddings: c.tie_word_embeddings !== false,
    };
    return done('builtin', 'InstructStudioGPT', config);
  }

  if (modelType === 'gpt2' || archs.includes('GPT2LMHeadModel')) {
    const arch = archs[0] ?? 'GPT2LMHeadModel';
    if (arch !== 'GPT2LMHeadModel') problem('architectures', `"${arch}" is not supported: only GPT2LMHeadModel (a causal language model head) for model_type "gpt2"`);
    const act = c.activation_function ?? 'gelu_new';
    if (typeof act !== 'string' || !GELU_NEW.has(act)) problem('activation_function', `${JSON.stringify(act)} is not supported: only "gelu_new" (GPT-2's tanh GELU)`);
    if (c.scale_attn_by_inverse_layer_idx === true) problem('scale_attn_by_inverse_layer_idx', 'true is not supported (attention scores scaled per layer)');
    if (c.add_cross_attention === true) problem('add_cross_attention', 'true is not supported (a decoder-only model is needed)');
    if (c.scale_attn_weights === false) problem('scale_attn_weights', 'false is not supported (scores are always divided by sqrt(head_dim))');
    const dModel = int('n_embd', 768);
    const nHeads = int('n_head', 12);
    if (dModel % nHeads) problem('n_head', `n_embd (${dModel}) is not divisible by n_head (${nHeads})`);
    const inner = c.n_inner === null || c.n_inner === undefined ? 4 * dModel : int('n_inner');
    const config: GptConfig = {
      architecture: 'gpt2', vocabSize: int('vocab_size', 50257), contextLength: int('n_positions', 1024), dModel,
      nLayers: int('n_layer', 12), nHeads, dFF: inner, layerNormEps: num('layer_norm_epsilon', 1e-5), tieEmbeddings: c.tie_word_embeddings !== false,
    };
    return done('huggingface', arch, config);
  }

  if (Object.hasOwn(LLAMA_TYPES, modelType)) {
    const expectedArch = LLAMA_TYPES[modelType];
    const arch = archs[0] ?? expectedArch;
    if (arch !== expectedArch) problem('architectures', `"${arch}" is not supported for model_type "${modelType}": only ${expectedArch}`);
    const act = c.hidden_act ?? 'silu';
    if (act !== 'silu') problem('hidden_act', `${JSON.stringify(act)} is not supported: the Llama MLP here is SwiGLU with "silu"`);
    if (c.mlp_bias === true) problem('mlp_bias', 'true is not supported (MLP projections without biases only)');
    if (c.pretraining_tp !== undefined && c.pretraining_tp !== 1) problem('pretraining_tp', `${JSON.stringify(c.pretraining_tp)} is not supported (only 1)`);
    let contextLength = int('max_position_embeddings', 2048);
    // A sliding window only changes attention for sequences longer than the window: capping the context at the
    // window makes full causal attention exact.
    const slidingWindow = modelType === 'qwen2' ? (c.use_sliding_window === true ? c.sliding_window : null) : c.sliding_window;
    if (slidingWindow !== null && slidingWindow !== undefined) {
      if (!Number.isInteger(slidingWindow) || (slidingWindow as number) <= 0) problem('sliding_window', `must be a positive integer or null, got ${JSON.stringify(slidingWindow)}`);
      else if (modelType === 'qwen2' && Number.isInteger(c.max_window_layers) && (c.max_window_layers as number) < (c.num_hidden_layers as number)) {
        problem('use_sliding_window', 'sliding-window attention on only some layers (max_window_layers) is not supported');
      } else contextLength = Math.min(contextLength, slidingWindow as number);
    }
    const dModel = int('hidden_size');
    const nHeads = int('num_attention_heads');
    const nKvHeads = c.num_key_value_heads === undefined || c.num_key_value_heads === null ? nHeads : int('num_key_value_heads');
    if (nHeads % nKvHeads) problem('num_key_value_heads', `num_attention_heads (${nHeads}) is not a multiple of num_key_value_heads (${nKvHeads})`);
    let headDim: number;
    if (c.head_dim === undefined || c.head_dim === null) {
      headDim = dModel / nHeads;
      if (!Number.isInteger(headDim)) problem('num_attention_heads', `hidden_size (${dModel}) is not divisible by num_attention_heads (${nHeads}) and there is no head_dim`);
    } else headDim = int('head_dim');
    const config: LlamaConfig = {
      architecture: 'llama', vocabSize: int('vocab_size'), contextLength, dModel, nLayers: int('num_hidden_layers'), nHeads, nKvHeads, headDim,
      dFF: int('intermediate_size'), rmsNormEps: num('rms_norm_eps', 1e-6), ropeTheta: num('rope_theta', 10000),
      ropeScaling: ropeScaling(c.rope_scaling, problem),
      // Qwen2 always has q/k/v biases (its config has no attention_bias field).
      attentionBias: modelType === 'qwen2' ? true : c.attention_bias === true,
      tieEmbeddings: c.tie_word_embeddings === true,
    };
    return done('huggingface', arch, config);
  }

  const name = archs[0] ?? (modelType || 'unknown');
  if (!modelType && !archs.length) problem('model_type', 'config.json names neither "model_type" nor "architectures"');
  else problem(modelType ? 'model_type' : 'architectures', `${JSON.stringify(modelType || name)} is not a supported architecture (supported: GPT-2 "gpt2", Llama-family "llama", "qwen2", "mistral")`);
  return done('huggingface', name, null);
}

function ropeScaling(v: unknown, problem: (field: string, message: string) => void): LlamaConfig['ropeScaling'] {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) {
    problem('rope_scaling', `must be an object or null, got ${JSON.stringify(v)}`);
    return null;
  }
  const r = v as Record<string, unknown>;
  const type = r.rope_type ?? r.type;
  const field = r.rope_type !== undefined ? 'rope_scaling.rope_type' : 'rope_scaling.type';
  const pos = (k: string): number => {
    const x = r[k];
    if (typeof x !== 'number' || !(x > 0)) {
      problem(`rope_scaling.${k}`, `must be a positive number, got ${JSON.stringify(x)}`);
      return NaN;
    }
    return x;
  };
  if (type === 'default') return null;
  if (type === 'linear') return { type: 'linear', factor: pos('factor') };
  if (type === 'llama3') {
    return {
      type: 'llama3', factor: pos('factor'), lowFreqFactor: pos('low_freq_factor'), highFreqFactor: pos('high_freq_factor'),
      originalMaxPositionEmbeddings: pos('original_max_position_embeddings'),
    };
  }
  problem(field, `${JSON.stringify(type)} is not supported (supported: "linear", "llama3", or no rope_scaling)`);
  return null;
}
