// The engine's config back to a Hugging Face config.json, keeping every field of the config the model came from
// (token ids, dropout, transformers_version …) and overwriting only what describes the architecture.
import { isLlama, type ModelConfig } from '../engine/types';
import { llamaConfigToHf } from '../engine/llamaConfig';

export function hfConfigJson(c: ModelConfig, base: Record<string, unknown> = {}): Record<string, unknown> {
  if (isLlama(c)) {
    // One writer for the Llama family (the engine's), then what the source config says beyond the architecture: its
    // family (mistral, qwen2 …) when that computes the same, its sliding window, and its original context length
    // (a sliding-window model's context was capped at the window on load).
    const own = llamaConfigToHf(c);
    const family = typeof base.model_type === 'string' && base.model_type !== 'instruct-studio-gpt' && (base.model_type === 'qwen2') === c.attentionBias;
    const kept: Record<string, unknown> = {};
    for (const k of ['use_sliding_window', 'sliding_window', 'max_window_layers', 'max_position_embeddings']) if (base[k] !== undefined) kept[k] = base[k];
    return { ...base, ...own, ...kept, ...(family ? { model_type: base.model_type, architectures: base.architectures ?? own.architectures } : {}) };
  }
  return {
    ...base, architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', activation_function: 'gelu_new', vocab_size: c.vocabSize,
    n_positions: c.contextLength, n_embd: c.dModel, n_layer: c.nLayers, n_head: c.nHeads, n_inner: c.dFF ?? 4 * c.dModel,
    layer_norm_epsilon: c.layerNormEps ?? 1e-5, tie_word_embeddings: c.tieEmbeddings ?? true, torch_dtype: 'float32',
  };
}
