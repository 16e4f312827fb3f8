// The tensors a config expects, by the engine's (Hugging Face) names and layouts, and how a file's tensor names map
// onto them. GPT-2 files name tensors `transformer.h.0…` (as transformers saves GPT2LMHeadModel) or `h.0…` (the
// original openai-community/gpt2 upload); the engine's names have no prefix. Buffers that are not parameters
// (GPT-2's causal-mask `attn.bias` / `attn.masked_bias`, Llama's `rotary_emb.inv_freq`) are skipped, and so is an
// `lm_head.weight` that only repeats the tied embedding.
import { isLlama, type ModelConfig } from '../../trainer/engine/types';

export function expectedTensors(c: ModelConfig): Map<string, number[]> {
  const m = new Map<string, number[]>();
  if (isLlama(c)) {
    const { dModel: D, dFF: F, vocabSize: V, nHeads: H, nKvHeads: KV, headDim: hd } = c;
    m.set('model.embed_tokens.weight', [V, D]);
    for (let i = 0; i < c.nLayers; i++) {
      const p = `model.layers.${i}.`;
      m.set(p + 'input_layernorm.weight', [D]);
      m.set(p + 'self_attn.q_proj.weight', [H * hd, D]);
      m.set(p + 'self_attn.k_proj.weight', [KV * hd, D]);
      m.set(p + 'self_attn.v_proj.weight', [KV * hd, D]);
      if (c.attentionBias) {
        m.set(p + 'self_attn.q_proj.bias', [H * hd]);
        m.set(p + 'self_attn.k_proj.bias', [KV * hd]);
        m.set(p + 'self_attn.v_proj.bias', [KV * hd]);
      }
      m.set(p + 'self_attn.o_proj.weight', [D, H * hd]);
      m.set(p + 'post_attention_layernorm.weight', [D]);
      m.set(p + 'mlp.gate_proj.weight', [F, D]);
      m.set(p + 'mlp.up_proj.weight', [F, D]);
      m.set(p + 'mlp.down_proj.weight', [D, F]);
    }
    m.set('model.norm.weight', [D]);
    if (!c.tieEmbeddings) m.set('lm_head.weight', [V, D]);
    return m;
  }
  const { dModel: D, vocabSize: V, contextLength: T } = c;
  const F = c.dFF ?? 4 * D;
  m.set('wte.weight', [V, D]);
  m.set('wpe.weight', [T, D]);
  for (let i = 0; i < c.nLayers; i++) {
    const p = `h.${i}.`;
    m.set(p + 'ln_1.weight', [D]);
    m.set(p + 'ln_1.bias', [D]);
    m.set(p + 'attn.c_attn.weight', [D, 3 * D]);
    m.set(p + 'attn.c_attn.bias', [3 * D]);
    m.set(p + 'attn.c_proj.weight', [D, D]);
    m.set(p + 'attn.c_proj.bias', [D]);
    m.set(p + 'ln_2.weight', [D]);
    m.set(p + 'ln_2.bias', [D]);
    m.set(p + 'mlp.c_fc.weight', [D, F]);
    m.set(p + 'mlp.c_fc.bias', [F]);
    m.set(p + 'mlp.c_proj.weight', [F, D]);
    m.set(p + 'mlp.c_proj.bias', [D]);
  }
  m.set('ln_f.weight', [D]);
  m.set('ln_f.bias', [D]);
  if (c.tieEmbeddings === false) m.set('lm_head.weight', [V, D]);
  return m;
}

/** The engine's name for a tensor of a file, or null for a buffer / duplicate that is not loaded. */
export function engineTensorName(c: ModelConfig, fileName: string): string | null {
  if (isLlama(c)) {
    if (/\.rotary_emb\.inv_freq$/.test(fileName)) return null;
    if (fileName === 'lm_head.weight' && c.tieEmbeddings) return null;
    return fileName;
  }
  const name = fileName.startsWith('transformer.') ? fileName.slice('transformer.'.length) : fileName;
  if (/^h\.\d+\.attn\.(bias|masked_bias)$/.test(name)) return null;
  if (name === 'lm_head.weight' && c.tieEmbeddings !== false) return null;
  return name;
}

/**
 * The name the tensor gets in a Hugging Face folder written for `transformers`: GPT-2 (and the built-in GPT, the
 * same architecture) under `transformer.` as GPT2LMHeadModel saves it; Llama names as they are.
 */
export function hfTensorName(c: ModelConfig, engineName: string): string {
  if (isLlama(c) || engineName === 'lm_head.weight') return engineName;
  return `transformer.${engineName}`;
}
