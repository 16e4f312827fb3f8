// The engine's config back to a Hugging Face config.json, keeping every field of the config the model came from
// (token ids, dropout, transformers_version …) and overwriting only what describes the architecture.
import { isLlama, type ModelConfig } from '../engine/types';

export function hfConfigJson(c: ModelConfig, base: Record<string, unknown> = {}): Record<string, unknown> {
  if (isLlama(c)) {
    const modelType = typeof base.model_type === 'string' && base.model_type !== 'instruct-studio-gpt' ? base.model_type : 'llama';
    const arch = Array.isArray(base.architectures) && base.architectures.length ? base.architectures : ['LlamaForCausalLM'];
    const rope = c.ropeScaling === null ? null : c.ropeScaling.type === 'linear'
      ? { rope_type: 'linear', factor: c.ropeScaling.factor }
      : {
        rope_type: 'llama3', factor: c.ropeScaling.factor, low_freq_factor: c.ropeScaling.lowFreqFactor,
        high_freq_factor: c.ropeScaling.highFreqFactor, original_max_position_embeddings: c.ropeScaling.originalMaxPositionEmbeddings,
      };
    return {
      ...base, architectures: arch, model_type: modelType, vocab_size: c.vocabSize,
      // A sliding-window model's context was capped at its window on load: the original length stays.
      max_position_embeddings: typeof base.max_position_embeddings === 'number' ? base.max_position_embeddings : c.contextLength,
      hidden_size: c.dModel, intermediate_size: c.dFF, num_hidden_layers: c.nLayers, num_attention_heads: c.nHeads,
      num_key_value_heads: c.nKvHeads, head_dim: c.headDim, hidden_act: 'silu', rms_norm_eps: c.rmsNormEps, rope_theta: c.ropeTheta,
      rope_scaling: rope, ...(modelType === 'qwen2' ? {} : { attention_bias: c.attentionBias }), tie_word_embeddings: c.tieEmbeddings,
      torch_dtype: 'float32',
    };
  }
  return {
    ...base, architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', activation_function: 'gelu_new', vocab_size: c.vocabSize,
    n_positions: c.contextLength, n_embd: c.dModel, n_layer: c.nLayers, n_head: c.nHeads, n_inner: c.dFF ?? 4 * c.dModel,
    layer_norm_epsilon: c.layerNormEps ?? 1e-5, tie_word_embeddings: c.tieEmbeddings ?? true, torch_dtype: 'float32',
  };
}
