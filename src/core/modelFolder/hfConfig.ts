// config.json → the engine's config. Hugging Face GPT-2 (`GPT2LMHeadModel`) maps onto the built-in GPT (same
// architecture, same parameter names); the Llama family (`LlamaForCausalLM`, and the Qwen2 / Mistral configs that are
// Llama with a twist the engine covers) onto LlamaConfig. Anything the engine would compute differently is refused
// with the field to blame, never approximated.
import type { GptConfig, ModelConfig } from '../../trainer/engine/types';
import { isLlamaFamily, llamaConfigFromHf } from '../../trainer/engine/llamaConfig';
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

  if (Object.hasOwn(LLAMA_TYPES, modelType) || isLlamaFamily(c)) {
    const arch = archs[0] ?? LLAMA_TYPES[modelType];
    // One mapping for the Llama family, shared with the engine: it refuses exactly what the engine would compute
    // differently from transformers. Its first refusal becomes this folder's problem.
    try {
      return done('huggingface', arch, llamaConfigFromHf(c, file));
    } catch (e) {
      const message = (e as Error).message;
      const m = /^[^:]*: "([^"]+)" (.*)$/s.exec(message);
      problem(m ? m[1] : 'config.json', m ? `"${m[1]}" ${m[2]}` : message.replace(`${file}: `, ''));
      return done('huggingface', arch, null);
    }
  }

  const name = archs[0] ?? (modelType || 'unknown');
  if (!modelType && !archs.length) problem('model_type', 'config.json names neither "model_type" nor "architectures"');
  else problem(modelType ? 'model_type' : 'architectures', `${JSON.stringify(modelType || name)} is not a supported architecture (supported: GPT-2 "gpt2", Llama-family "llama", "qwen2", "mistral")`);
  return done('huggingface', name, null);
}
