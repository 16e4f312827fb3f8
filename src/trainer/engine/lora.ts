// LoRA (Hu et al. 2021) as PEFT does it, without touching the model code: for each targeted weight W the engine
// keeps the frozen base W0 and trains two small matrices, lora_A [r, in] and lora_B [out, r], with
//   W_eff = W0 + (alpha / r) · ΔW,   ΔW = B·A  in nn.Linear's [out, in] layout (Llama),
//                                    ΔW = (B·A)ᵀ in GPT-2 Conv1D's [in, out] layout (PEFT's fan_in_fan_out).
// W_eff is written into the shared weights the replicas read, so every architecture's forward and backward run
// unchanged; their gradient G = dL/dW_eff gives the adapters' gradients by the chain rule:
//   Linear:  dB = s · G · Aᵀ          dA = s · Bᵀ · G
//   Conv1D:  dB = s · Gᵀ · Aᵀ         dA = s · Bᵀ · Gᵀ
// Dropout on the adapter input cannot be expressed through merged weights, so it is refused, never ignored.
import type { ModelConfig, NamedArrays } from './types';
import { isLlama } from './types';
import type { ParamLayout, ParamSpec } from './params';
import { seedFor, uniform } from './rng';

export interface LoraOptions {
  /** Rank of the adapters. */
  r: number;
  /** Scaling numerator: ΔW is multiplied by alpha / r. */
  alpha: number;
  /** Must be 0 (see the header). */
  dropout: number;
  /** Module names, matched as PEFT matches `target_modules`: the whole module path or its last dotted parts. */
  targets: string[];
}

/** One adapted weight matrix. */
export interface LoraTarget {
  /** The engine's parameter name, e.g. `h.0.attn.c_attn.weight`. */
  param: string;
  /** The module path in the Hugging Face model, e.g. `transformer.h.0.attn.c_attn`. */
  module: string;
  inFeatures: number;
  outFeatures: number;
  /** True when the weight is stored [in, out] (GPT-2 Conv1D); false for nn.Linear's [out, in]. */
  fanInFanOut: boolean;
}

/** PEFT's key prefix in adapter_model.safetensors (PeftModelForCausalLM wraps the model as `base_model.model`). */
export const PEFT_PREFIX = 'base_model.model.';

export class LoraError extends Error {}

/** Default targets per architecture: PEFT's defaults (fused qkv `c_attn` for GPT-2, q/k/v/o for Llama). */
export function defaultLoraTargets(config: ModelConfig): string[] {
  return isLlama(config) ? ['q_proj', 'k_proj', 'v_proj', 'o_proj'] : ['c_attn'];
}

/** Every module LoRA can adapt: the 2-D projection weights (embeddings and the output head are left alone). */
export function adaptableModules(config: ModelConfig, specs: readonly Pick<ParamSpec, 'name' | 'shape'>[]): LoraTarget[] {
  const llama = isLlama(config);
  const out: LoraTarget[] = [];
  for (const s of specs) {
    if (s.shape.length !== 2 || !s.name.endsWith('.weight')) continue;
    const path = s.name.slice(0, -'.weight'.length);
    if (/(^|\.)(wte|wpe|embed_tokens|lm_head)$/.test(path)) continue;
    // HF GPT-2 files put the blocks under `transformer.`; the engine's names leave it out (see types.ts).
    const module = llama ? path : `transformer.${path}`;
    const [a, b] = s.shape;
    out.push(llama
      ? { param: s.name, module, inFeatures: b, outFeatures: a, fanInFanOut: false }
      : { param: s.name, module, inFeatures: a, outFeatures: b, fanInFanOut: true });
  }
  return out;
}

/** PEFT's rule: a target names the module when it equals the module path or is a dotted suffix of it. */
function matches(module: string, target: string): boolean {
  return module === target || module.endsWith(`.${target}`);
}

/** The modules the targets select; a target that selects nothing is an error naming the modules there are. */
export function selectTargets(config: ModelConfig, specs: readonly Pick<ParamSpec, 'name' | 'shape'>[], targets: readonly string[]): LoraTarget[] {
  const all = adaptableModules(config, specs);
  if (targets.length === 0) throw new LoraError('LoRA needs at least one target module');
  for (const t of targets) {
    if (!all.some((m) => matches(m.module, t))) {
      const names = [...new Set(all.map((m) => m.module.split('.').pop()!))];
      throw new LoraError(`LoRA target "${t}" matches no module of this ${isLlama(config) ? 'Llama' : 'GPT-2'} model; its modules are: ${names.join(', ')}`);
    }
  }
  return all.filter((m) => targets.some((t) => matches(m.module, t)));
}

export function validateLoraOptions(o: LoraOptions): void {
  if (!(Number.isInteger(o.r) && o.r > 0)) throw new LoraError(`LoRA rank r must be a positive integer, got ${o.r}`);
  if (!(Number.isFinite(o.alpha) && o.alpha > 0)) throw new LoraError(`LoRA alpha must be a positive number, got ${o.alpha}`);
  if (o.dropout !== 0) {
    throw new LoraError(`LoRA dropout ${o.dropout} is not supported: the adapters are merged into the weights every step, so their input cannot be dropped on its own; use dropout 0`);
  }
}

/** Adapter names and shapes in PEFT's layout, in a fixed order (A then B per target). */
export function adapterLayout(targets: readonly LoraTarget[], r: number): ParamLayout {
  const specs: ParamSpec[] = [];
  let offset = 0;
  for (const t of targets) {
    for (const [name, shape] of [[loraKey(t.module, 'A'), [r, t.inFeatures]], [loraKey(t.module, 'B'), [t.outFeatures, r]]] as const) {
      const size = shape[0] * shape[1];
      // Weight decay applies to adapters as to any matrix (the HF Trainer decays everything but biases and norms).
      specs.push({ name, shape: [...shape], offset, size, decay: true, init: { kind: 'zeros' } });
      offset += size;
    }
  }
  return { specs, byName: new Map(specs.map((s) => [s.name, s])), total: offset };
}

export function loraKey(module: string, which: 'A' | 'B'): string {
  return `${PEFT_PREFIX}${module}.lora_${which}.weight`;
}

/** The adapters of one engine: their values, the frozen base of each target, and the maths above. */
export class LoraAdapters {
  readonly scaling: number;
  readonly layout: ParamLayout;
  /** lora_A and lora_B of every target, flat (the optimizer updates this). */
  readonly values: Float32Array;
  enabled = true;
  private readonly base: Float32Array[];
  private readonly grad: Float32Array;

  constructor(
    readonly options: LoraOptions,
    readonly targets: LoraTarget[],
    /** Where each target lives in the engine's flat weights. */
    private readonly offsets: number[],
    params: Float32Array,
    seed: number,
  ) {
    validateLoraOptions(options);
    this.scaling = options.alpha / options.r;
    this.layout = adapterLayout(targets, options.r);
    this.values = new Float32Array(this.layout.total);
    this.grad = new Float32Array(this.layout.total);
    this.base = targets.map((t, i) => params.slice(offsets[i], offsets[i] + t.inFeatures * t.outFeatures));
    // PEFT's init: A ~ kaiming_uniform(a=√5) = U(-1/√in, 1/√in), B = 0, so training starts from the base model.
    for (const t of targets) {
      const a = this.view(t, 'A');
      const bound = 1 / Math.sqrt(t.inFeatures);
      const u = uniform(seedFor(seed, loraKey(t.module, 'A')));
      for (let i = 0; i < a.length; i++) a[i] = (2 * u() - 1) * bound;
    }
  }

  static create(config: ModelConfig, layout: ParamLayout, params: Float32Array, options: LoraOptions, seed: number): LoraAdapters {
    validateLoraOptions(options);
    const targets = selectTargets(config, layout.specs, options.targets);
    return new LoraAdapters(options, targets, targets.map((t) => layout.byName.get(t.param)!.offset), params, seed);
  }

  get parameterCount(): number {
    return this.layout.total;
  }

  /** Writes W_eff (or W0 when disabled) of every target into the engine's weights. */
  apply(params: Float32Array): void {
    this.targets.forEach((t, n) => {
      const w0 = this.base[n];
      const dst = params.subarray(this.offsets[n], this.offsets[n] + w0.length);
      if (!this.enabled) { dst.set(w0); return; }
      const delta = this.delta(t);
      for (let i = 0; i < w0.length; i++) dst[i] = w0[i] + delta[i];
    });
  }

  /** s·ΔW in the target's own layout. */
  delta(t: LoraTarget): Float64Array {
    return loraDelta(t, this.view(t, 'A'), this.view(t, 'B'), this.options.r, this.scaling);
  }

  /** dL/dA and dL/dB of every adapter from dL/dW_eff in `grad` (the engine's layout); returns the adapters' gradient. */
  gradients(grad: Float32Array): Float32Array {
    const r = this.options.r;
    const s = this.scaling;
    this.targets.forEach((t, n) => {
      const { inFeatures: I, outFeatures: O } = t;
      const G = grad.subarray(this.offsets[n], this.offsets[n] + I * O);
      const A = this.view(t, 'A');
      const B = this.view(t, 'B');
      const dA = new Float64Array(r * I);
      const dB = new Float64Array(O * r);
      // One pass over G: G(o, i) contributes B[o,:]·G to dA[:, i] and G·A[:, i] to dB[o, :].
      for (let o = 0; o < O; o++) {
        for (let i = 0; i < I; i++) {
          const g = t.fanInFanOut ? G[i * O + o] : G[o * I + i];
          if (g === 0) continue;
          for (let k = 0; k < r; k++) {
            dA[k * I + i] += B[o * r + k] * g;
            dB[o * r + k] += g * A[k * I + i];
          }
        }
      }
      const gA = this.view(t, 'A', this.grad);
      const gB = this.view(t, 'B', this.grad);
      for (let j = 0; j < gA.length; j++) gA[j] = s * dA[j];
      for (let j = 0; j < gB.length; j++) gB[j] = s * dB[j];
    });
    return this.grad;
  }

  /** The adapter values by PEFT key (copies). */
  toNamed(flat: Float32Array = this.values): NamedArrays {
    const out: NamedArrays = {};
    for (const s of this.layout.specs) out[s.name] = { shape: [...s.shape], data: flat.slice(s.offset, s.offset + s.size) };
    return out;
  }

  private view(t: LoraTarget, which: 'A' | 'B', flat: Float32Array = this.values): Float32Array {
    const s = this.layout.byName.get(loraKey(t.module, which))!;
    return flat.subarray(s.offset, s.offset + s.size);
  }
}

/** s·ΔW in the target's own layout ([out, in], or [in, out] for Conv1D), computed in float64. */
export function loraDelta(t: LoraTarget, A: Float32Array, B: Float32Array, r: number, s: number): Float64Array {
  const { inFeatures: I, outFeatures: O } = t;
  const out = new Float64Array(I * O);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      let sum = 0;
      for (let k = 0; k < r; k++) sum += B[o * r + k] * A[k * I + i];
      out[t.fanInFanOut ? i * O + o : o * I + i] = s * sum;
    }
  }
  return out;
}

/** W0 + s·ΔW for every target: the merged weights of a base model and its adapters (export, eval, generate). */
export function mergeAdapters(config: ModelConfig, base: NamedArrays, adapters: NamedArrays, options: Omit<LoraOptions, 'dropout'>): NamedArrays {
  const specs = Object.entries(base).map(([name, a]) => ({ name, shape: a.shape }));
  const targets = selectTargets(config, specs, options.targets);
  const layout = adapterLayout(targets, options.r);
  checkAdapterArrays(layout, adapters);
  const merged: NamedArrays = { ...base };
  for (const t of targets) {
    const w0 = base[t.param].data;
    const delta = loraDelta(t, adapters[loraKey(t.module, 'A')].data, adapters[loraKey(t.module, 'B')].data, options.r, options.alpha / options.r);
    const data = new Float32Array(w0.length);
    for (let i = 0; i < w0.length; i++) data[i] = w0[i] + delta[i];
    merged[t.param] = { shape: [...base[t.param].shape], data };
  }
  return merged;
}

/** Every adapter array present with its exact shape, and nothing else. */
export function checkAdapterArrays(layout: ParamLayout, adapters: NamedArrays, what = 'adapter weight'): void {
  for (const s of layout.specs) {
    const a = adapters[s.name];
    if (!a) throw new LoraError(`${what} "${s.name}" is missing`);
    if (a.shape.length !== 2 || a.shape[0] !== s.shape[0] || a.shape[1] !== s.shape[1] || a.data.length !== s.size) {
      throw new LoraError(`${what} "${s.name}" has shape [${a.shape}], expected [${s.shape}]`);
    }
  }
  const extra = Object.keys(adapters).filter((k) => !layout.byName.has(k));
  if (extra.length) throw new LoraError(`unexpected ${what}${extra.length > 1 ? 's' : ''}: ${extra.slice(0, 5).join(', ')}`);
}
