// The model's parameters as one flat Float32Array with Hugging Face names and offsets (GPT-2 or Llama).
// One buffer makes the optimizer a single loop and lets data-parallel workers share weights and
// gradients through a SharedArrayBuffer without copying.
import type { GptConfig, LlamaConfig, ModelConfig, NamedArrays } from './types';
import { fillNormal, seedFor } from './rng';
import { validateLlamaConfig } from './llamaConfig';

/** A GptConfig with its defaults filled in. */
export interface ResolvedConfig {
  architecture: 'gpt2';
  vocabSize: number;
  contextLength: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  dFF: number;
  layerNormEps: number;
  tieEmbeddings: boolean;
}

export function resolveConfig(c: GptConfig): ResolvedConfig {
  const r: ResolvedConfig = {
    architecture: 'gpt2',
    vocabSize: c.vocabSize,
    contextLength: c.contextLength,
    dModel: c.dModel,
    nLayers: c.nLayers,
    nHeads: c.nHeads,
    dFF: c.dFF ?? 4 * c.dModel,
    layerNormEps: c.layerNormEps ?? 1e-5,
    tieEmbeddings: c.tieEmbeddings ?? true,
  };
  for (const k of ['vocabSize', 'contextLength', 'dModel', 'nLayers', 'nHeads', 'dFF'] as const) {
    if (!(Number.isInteger(r[k]) && r[k] > 0)) throw new Error(`GptConfig.${k} must be a positive integer, got ${r[k]}`);
  }
  if (!(r.layerNormEps > 0 && Number.isFinite(r.layerNormEps))) throw new Error(`GptConfig.layerNormEps must be a positive number, got ${r.layerNormEps}`);
  if (r.dModel % r.nHeads !== 0) throw new Error(`GptConfig.dModel (${r.dModel}) must be divisible by nHeads (${r.nHeads})`);
  return r;
}

/** Any architecture's config, checked and complete (a LlamaConfig has no defaults to fill). */
export type ResolvedModelConfig = ResolvedConfig | LlamaConfig;

export function resolveModelConfig(c: ModelConfig): ResolvedModelConfig {
  if (c.architecture === 'llama') {
    validateLlamaConfig(c);
    return { ...c };
  }
  return resolveConfig(c);
}

export interface ParamSpec {
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** AdamW decoupled weight decay applies (matrices except position embeddings). */
  decay: boolean;
  init: { kind: 'normal'; std: number } | { kind: 'ones' } | { kind: 'zeros' };
}

export interface ParamLayout {
  specs: ParamSpec[];
  byName: Map<string, ParamSpec>;
  total: number;
}

export function paramLayout(c: ResolvedModelConfig): ParamLayout {
  return c.architecture === 'llama' ? llamaLayout(c) : gptLayout(c);
}

function layoutBuilder() {
  const specs: ParamSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], init: ParamSpec['init'], decay: boolean) => {
    const size = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, offset, size, decay, init });
    offset += size;
  };
  const done = (): ParamLayout => ({ specs, byName: new Map(specs.map((s) => [s.name, s])), total: offset });
  return { add, done };
}

function gptLayout(c: ResolvedConfig): ParamLayout {
  const { vocabSize: V, contextLength: T, dModel: D, dFF: F, nLayers: L } = c;
  const { add, done } = layoutBuilder();
  const w = { kind: 'normal' as const, std: 0.02 };
  // GPT-2 scales the init of projections that add into the residual stream by 1/sqrt(2 * layers).
  const wResidual = { kind: 'normal' as const, std: 0.02 / Math.sqrt(2 * L) };
  const ones = { kind: 'ones' as const };
  const zeros = { kind: 'zeros' as const };
  add('wte.weight', [V, D], w, true);
  add('wpe.weight', [T, D], { kind: 'normal', std: 0.01 }, false);
  for (let i = 0; i < L; i++) {
    const p = `h.${i}.`;
    add(p + 'ln_1.weight', [D], ones, false);
    add(p + 'ln_1.bias', [D], zeros, false);
    // HF GPT-2 Conv1D layout: weight is [in, out], y = x @ W + b.
    add(p + 'attn.c_attn.weight', [D, 3 * D], w, true);
    add(p + 'attn.c_attn.bias', [3 * D], zeros, false);
    add(p + 'attn.c_proj.weight', [D, D], wResidual, true);
    add(p + 'attn.c_proj.bias', [D], zeros, false);
    add(p + 'ln_2.weight', [D], ones, false);
    add(p + 'ln_2.bias', [D], zeros, false);
    add(p + 'mlp.c_fc.weight', [D, F], w, true);
    add(p + 'mlp.c_fc.bias', [F], zeros, false);
    add(p + 'mlp.c_proj.weight', [F, D], wResidual, true);
    add(p + 'mlp.c_proj.bias', [D], zeros, false);
  }
  add('ln_f.weight', [D], ones, false);
  add('ln_f.bias', [D], zeros, false);
  // HF nn.Linear layout [out, in]: logits = h @ lm_head.weight^T.
  if (!c.tieEmbeddings) add('lm_head.weight', [V, D], w, true);
  return done();
}

/** Hugging Face LlamaForCausalLM names; every Linear is [out, in] and initialised as HF does (normal 0.02). */
function llamaLayout(c: LlamaConfig): ParamLayout {
  const { vocabSize: V, dModel: D, dFF: F, nLayers: L, nHeads: H, nKvHeads: Hkv, headDim: hd } = c;
  const { add, done } = layoutBuilder();
  const w = { kind: 'normal' as const, std: 0.02 };
  const ones = { kind: 'ones' as const };
  const zeros = { kind: 'zeros' as const };
  add('model.embed_tokens.weight', [V, D], w, true);
  for (let i = 0; i < L; i++) {
    const p = `model.layers.${i}.`;
    add(p + 'input_layernorm.weight', [D], ones, false);
    add(p + 'self_attn.q_proj.weight', [H * hd, D], w, true);
    if (c.attentionBias) add(p + 'self_attn.q_proj.bias', [H * hd], zeros, false);
    add(p + 'self_attn.k_proj.weight', [Hkv * hd, D], w, true);
    if (c.attentionBias) add(p + 'self_attn.k_proj.bias', [Hkv * hd], zeros, false);
    add(p + 'self_attn.v_proj.weight', [Hkv * hd, D], w, true);
    if (c.attentionBias) add(p + 'self_attn.v_proj.bias', [Hkv * hd], zeros, false);
    add(p + 'self_attn.o_proj.weight', [D, H * hd], w, true);
    add(p + 'post_attention_layernorm.weight', [D], ones, false);
    add(p + 'mlp.gate_proj.weight', [F, D], w, true);
    add(p + 'mlp.up_proj.weight', [F, D], w, true);
    add(p + 'mlp.down_proj.weight', [D, F], w, true);
  }
  add('model.norm.weight', [D], ones, false);
  if (!c.tieEmbeddings) add('lm_head.weight', [V, D], w, true);
  return done();
}

export function initParams(layout: ParamLayout, seed: number, out = new Float32Array(layout.total)): Float32Array {
  for (const s of layout.specs) {
    const view = out.subarray(s.offset, s.offset + s.size);
    if (s.init.kind === 'normal') fillNormal(view, s.init.std, seedFor(seed, s.name));
    else view.fill(s.init.kind === 'ones' ? 1 : 0);
  }
  return out;
}

export function toNamed(layout: ParamLayout, flat: Float32Array): NamedArrays {
  const out: NamedArrays = {};
  for (const s of layout.specs) out[s.name] = { shape: [...s.shape], data: flat.slice(s.offset, s.offset + s.size) };
  return out;
}

/** Copies named arrays into the flat buffer; every parameter must be present with its exact shape. */
export function fromNamed(layout: ParamLayout, named: NamedArrays, out: Float32Array, what = 'parameter'): void {
  for (const s of layout.specs) {
    const a = named[s.name];
    if (!a) throw new Error(`${what} "${s.name}" is missing`);
    if (a.shape.length !== s.shape.length || a.shape.some((d, i) => d !== s.shape[i])) {
      throw new Error(`${what} "${s.name}" has shape [${a.shape}], expected [${s.shape}]`);
    }
    if (a.data.length !== s.size) throw new Error(`${what} "${s.name}" has ${a.data.length} values, expected ${s.size}`);
    out.set(a.data, s.offset);
  }
  const extra = Object.keys(named).filter((k) => !layout.byName.has(k));
  if (extra.length) throw new Error(`unexpected ${what}${extra.length > 1 ? 's' : ''}: ${extra.slice(0, 5).join(', ')}`);
}
