// The tiny GPT, read top to bottom: embeddings → L × (pre-LN attention, pre-LN GELU MLP) → LN → logits.
// A GptReplica computes loss and gradients for rows of a batch on one TensorFlow.js backend; the
// optimizer and the weights' master copy live outside it in plain Float32Arrays (see adamw.ts).
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import type { ParamLayout, ResolvedConfig } from './params';
import type { AttentionGeometry, GenerationHooks, GenerationInput, Replica } from './replica';
import { AttentionMasks, causalMask, checkTokenIds, lossTargets, rowPositions, rowTokens, sequenceSlice, sumPerRow, type RowSlice } from './rows';
import * as ops from './ops';
import { Kernels } from '../kernels/index';
import { matMul } from '../kernels/tfjsMatMul';

interface LayerWeights {
  ln1g: Tensor1D; ln1b: Tensor1D;
  attnW: Tensor2D; attnWT: Tensor2D; attnB: Tensor1D;
  projW: Tensor2D; projWT: Tensor2D; projB: Tensor1D;
  ln2g: Tensor1D; ln2b: Tensor1D;
  fcW: Tensor2D; fcWT: Tensor2D; fcB: Tensor1D;
  fc2W: Tensor2D; fc2WT: Tensor2D; fc2B: Tensor1D;
}

interface DeviceWeights {
  layers: LayerWeights[];
  lnfg: Tensor1D; lnfb: Tensor1D;
  /** Output projection as [D, V] for h @ W, and its transpose [V, D] for the backward. */
  lmW: Tensor2D; lmWT: Tensor2D;
  all: Tensor[];
}

interface LayerCache {
  ln1: ops.LayerNormCache; a: Tensor2D;
  att: ops.AttentionCache; attY: Tensor2D;
  ln2: ops.LayerNormCache; m: Tensor2D;
  fc: { x: Tensor2D; s: Tensor2D }; g: Tensor2D;
}

export class GptReplica implements Replica {
  readonly attention: AttentionGeometry;
  private device: DeviceWeights | null = null;
  private readonly masks: AttentionMasks;

  constructor(
    private readonly tf: Tf,
    readonly config: ResolvedConfig,
    readonly layout: ParamLayout,
    /** The weights' master copy, read when uploading; the owner calls `weightsChanged()` after writing it. */
    readonly params: Float32Array,
  ) {
    this.masks = new AttentionMasks(tf);
    const { nLayers, nHeads, dModel } = config;
    this.attention = { layers: nLayers, heads: nHeads, kvHeads: nHeads, headDim: dModel / nHeads };
  }

  weightsChanged(): void {
    if (this.device) for (const t of this.device.all) t.dispose();
    this.device = null;
  }

  dispose(): void {
    this.weightsChanged();
    this.masks.dispose();
  }

  /**
   * Adds d(Σ wᵢ·lossᵢ)/dθ over the rows into `grad` (same layout as params) and returns the weighted loss sum.
   * Summed, not averaged: the caller divides by the trained-token count of the whole step.
   */
  accumulateGradients(slice: RowSlice, grad: Float32Array): { lossSum: number; weightSum: number } {
    const w = this.weights();
    const { tf } = this;
    const { dModel: D, nLayers: L, tieEmbeddings } = this.config;
    const { ids, positions, targets, weights, weightSum, rows } = this.inputs(slice);
    const mask = this.masks.of(slice);
    const g = (name: string) => {
      const s = this.layout.byName.get(name)!;
      return grad.subarray(s.offset, s.offset + s.size);
    };
    const x0 = this.embed(ids, positions);
    const f = this.forward(w, x0, rows, slice.batch.seqLen, { mask, keep: true });
    let lossSum = 0;
    let dh = tf.tidy(() => {
      const ce = ops.crossEntropyOf(tf, f.logits, targets, weights, true);
      lossSum = ce.lossSum;
      // Output projection: logits = hf @ lmW, lmW = wte^T when tied. Its gradient as dlogitsᵀ @ hf is
      // [V, D], wte's own layout.
      const dlogits = ce.dlogits!;
      const [N, V] = dlogits.shape;
      Kernels.get().addTransposedProduct(ops.peek(tf, dlogits), ops.peek(tf, f.lnf.y), N, V, D, g(tieEmbeddings ? 'wte.weight' : 'lm_head.weight'));
      const dhf = matMul(tf, dlogits, w.lmWT);
      return ops.layerNormBackwardInto(tf, dhf, f.lnf.cache, w.lnfg, g('ln_f.weight'), g('ln_f.bias'));
    });
    tf.dispose([f.logits, f.lnf.y, f.lnf.cache.xhat, f.lnf.cache.rstd]);
    for (let i = L - 1; i >= 0; i--) {
      const lw = w.layers[i];
      const c = f.caches[i];
      const p = `h.${i}.`;
      const next = tf.tidy(() => {
        const dm = ops.linearBackwardInto(tf, c.g, dh, lw.fc2WT, g(p + 'mlp.c_proj.weight'), g(p + 'mlp.c_proj.bias'));
        const dfc = ops.geluBackward(tf, dm, c.fc);
        const dln2 = ops.linearBackwardInto(tf, c.m, dfc, lw.fcWT, g(p + 'mlp.c_fc.weight'), g(p + 'mlp.c_fc.bias'));
        const dh1 = tf.add(dh, ops.layerNormBackwardInto(tf, dln2, c.ln2, lw.ln2g, g(p + 'ln_2.weight'), g(p + 'ln_2.bias'))) as Tensor2D;
        const dattY = ops.linearBackwardInto(tf, c.attY, dh1, lw.projWT, g(p + 'attn.c_proj.weight'), g(p + 'attn.c_proj.bias'));
        const dqkv = ops.attentionBackward(tf, dattY, c.att, this.attentionShape(rows, slice.batch.seqLen));
        const dln1 = ops.linearBackwardInto(tf, c.a, dqkv, lw.attnWT, g(p + 'attn.c_attn.weight'), g(p + 'attn.c_attn.bias'));
        return tf.add(dh1, ops.layerNormBackwardInto(tf, dln1, c.ln1, lw.ln1g, g(p + 'ln_1.weight'), g(p + 'ln_1.bias'))) as Tensor2D;
      });
      dh.dispose();
      tf.dispose(cacheTensors(c));
      dh = next;
    }
    // Embedding gradients are a scatter-add of rows: done here in JS (wasm has no UnsortedSegmentSum).
    const dx0 = ops.peek(tf, dh);
    const wte = this.layout.byName.get('wte.weight')!.offset;
    const wpe = this.layout.byName.get('wpe.weight')!.offset;
    for (let r = 0; r < dx0.length / D; r++) {
      const a = wte + ids[r] * D;
      const b = wpe + positions[r] * D;
      for (let d = 0; d < D; d++) {
        grad[a + d] += dx0[r * D + d];
        grad[b + d] += dx0[r * D + d];
      }
    }
    tf.dispose([dh, x0]);
    this.masks.release(mask);
    return { lossSum, weightSum };
  }

  /** Weighted loss sum over the rows, no gradients. */
  loss(slice: RowSlice): { lossSum: number; weightSum: number } {
    const w = this.weights();
    const { tf } = this;
    const { ids, positions, targets, weights, weightSum, rows } = this.inputs(slice);
    const mask = this.masks.of(slice);
    const lossSum = tf.tidy(() => {
      const f = this.forward(w, this.embed(ids, positions), rows, slice.batch.seqLen, { mask });
      return ops.crossEntropyOf(tf, f.logits, targets, weights, false).lossSum;
    });
    this.masks.release(mask);
    return { lossSum, weightSum };
  }

  /** Σₜ wₜ·nllₜ of each row, no gradients (DPO's sequence log-probabilities are their negatives). */
  rowLosses(slice: RowSlice): Float32Array {
    const w = this.weights();
    const { tf } = this;
    const T = slice.batch.seqLen;
    const { ids, positions, targets, weights, rows } = this.inputs(slice);
    const mask = this.masks.of(slice);
    const perToken = new Float32Array(rows * T);
    tf.tidy(() => {
      const f = this.forward(w, this.embed(ids, positions), rows, T, { mask });
      ops.crossEntropyOf(tf, f.logits, targets, weights, false, perToken);
    });
    this.masks.release(mask);
    return sumPerRow(perToken, rows, T);
  }

  /** Logits after the last token of one sequence (at most contextLength tokens). */
  lastLogits(sequence: readonly number[]): Float32Array {
    const w = this.weights();
    const slice = sequenceSlice(sequence);
    const T = sequence.length;
    const { ids, positions } = this.inputs(slice);
    const mask = this.masks.of(slice);
    const out = this.tf.tidy(() => this.forward(w, this.embed(ids, positions), 1, T, { mask, outputs: [T - 1] }).logits.dataSync() as Float32Array);
    this.masks.release(mask);
    return out;
  }

  generationForward(input: GenerationInput, hooks: GenerationHooks): Float32Array[] {
    const w = this.weights();
    const { tf } = this;
    const V = this.config.vocabSize;
    const ids = checkTokenIds(Int32Array.from(input.ids), V);
    return tf.tidy(() => {
      const mask = hooks.attend ? null : causalMask(tf, input.seq);
      const { logits } = this.forward(w, this.embed(ids, input.positions), input.rows, input.seq, { mask, outputs: input.outputs, hooks });
      const all = logits.dataSync() as Float32Array;
      return input.outputs.map((_, i) => all.slice(i * V, (i + 1) * V));
    });
  }

  /**
   * The model over embedded tokens x0 [rows·seq, D]. `keep`: return each layer's activations for the backward,
   * each layer in its own tf.tidy that keeps only what the backward reads (the caller frees them layer by layer:
   * the wasm heap grows to the peak of live tensors and never shrinks). `outputs`: only these token indexes reach
   * the final LayerNorm and head. `hooks`: generation's cache.
   */
  private forward(w: DeviceWeights, x0: Tensor2D, rows: number, seq: number, opts: { mask: Tensor | null; keep?: boolean; outputs?: readonly number[]; hooks?: GenerationHooks }) {
    const { tf } = this;
    const eps = this.config.layerNormEps;
    const D = this.config.dModel;
    const shape = this.attentionShape(rows, seq);
    const caches: LayerCache[] = [];
    let h = x0;
    w.layers.forEach((lw, layer) => {
      const block = () => {
        const ln1 = ops.layerNorm(tf, h, lw.ln1g, lw.ln1b, eps);
        const qkv = ops.linear(tf, ln1.y, lw.attnW, lw.attnB);
        let att: { y: Tensor2D; cache?: ops.AttentionCache } | undefined;
        if (opts.hooks) {
          // Fused columns q | k | v, heads contiguous in each (HF GPT-2's c_attn).
          const src = qkv.dataSync() as Float32Array;
          opts.hooks.kv(layer, { data: src, stride: 3 * D, offset: D }, { data: src, stride: 3 * D, offset: 2 * D });
          if (opts.hooks.attend) att = { y: tf.tensor2d(opts.hooks.attend(layer, { data: src, stride: 3 * D, offset: 0 }), [src.length / (3 * D), D]) };
        }
        att ??= ops.attention(tf, qkv, opts.mask!, shape);
        const h1 = tf.add(h, ops.linear(tf, att.y, lw.projW, lw.projB)) as Tensor2D;
        const ln2 = ops.layerNorm(tf, h1, lw.ln2g, lw.ln2b, eps);
        const fc = ops.gelu(tf, ops.linear(tf, ln2.y, lw.fcW, lw.fcB));
        const out = tf.add(h1, ops.linear(tf, fc.y, lw.fc2W, lw.fc2B)) as Tensor2D;
        return { out, cache: { ln1: ln1.cache, a: ln1.y, att: att.cache!, attY: att.y, ln2: ln2.cache, m: ln2.y, fc: fc.cache, g: fc.y } };
      };
      if (!opts.keep) {
        h = block().out;
        return;
      }
      const kept = ops.tidyKeeping(tf, block, (b) => [b.out, ...cacheTensors(b.cache)]);
      if (h !== x0) h.dispose();
      h = kept.out;
      caches.push(kept.cache);
    });
    if (opts.outputs) h = tf.gather(h, Array.from(opts.outputs)) as Tensor2D;
    const hf = h;
    const head = () => {
      const lnf = ops.layerNorm(tf, hf, w.lnfg, w.lnfb, eps);
      return { lnf, logits: matMul(tf, lnf.y, w.lmW) };
    };
    if (!opts.keep) return { ...head(), caches };
    const { lnf, logits } = ops.tidyKeeping(tf, head, (k) => [k.logits, k.lnf.y, k.lnf.cache.xhat, k.lnf.cache.rstd]);
    if (hf !== x0) hf.dispose();
    return { logits, lnf, caches };
  }

  private attentionShape(rows: number, seq: number): ops.AttentionShape {
    const { nHeads: H, dModel: D } = this.config;
    return { batch: rows, seq, heads: H, headDim: D / H };
  }

  /** Token ids, positions and loss targets of the rows, checked. */
  private inputs(slice: RowSlice) {
    const T = slice.batch.seqLen;
    if (T > this.config.contextLength) throw new Error(`sequence length ${T} exceeds the model's context length ${this.config.contextLength}`);
    return {
      ids: rowTokens(slice, this.config.vocabSize),
      positions: rowPositions(slice),
      ...lossTargets(slice, this.config.vocabSize),
      rows: slice.end - slice.start,
    };
  }

  /** Token + position embeddings, looked up in the master weights in JS (a row copy is cheaper than a one-hot matMul). */
  private embed(ids: ArrayLike<number>, positions: ArrayLike<number>): Tensor2D {
    const D = this.config.dModel;
    const wte = this.layout.byName.get('wte.weight')!.offset;
    const wpe = this.layout.byName.get('wpe.weight')!.offset;
    const x = new Float32Array(ids.length * D);
    const P = this.params;
    for (let i = 0; i < ids.length; i++) {
      const a = wte + ids[i] * D;
      const b = wpe + positions[i] * D;
      for (let d = 0; d < D; d++) x[i * D + d] = P[a + d] + P[b + d];
    }
    return this.tf.tensor2d(x, [ids.length, D]);
  }

  /** The weights as tensors, uploaded from the master copy on first use after a change. */
  private weights(): DeviceWeights {
    if (this.device) return this.device;
    const { tf } = this;
    const all: Tensor[] = [];
    // wasm copies into its heap; other backends may keep the array itself, which the optimizer rewrites.
    const copy = tf.getBackend() !== 'wasm';
    const get = (name: string) => {
      const s = this.layout.byName.get(name)!;
      const values = copy ? this.params.slice(s.offset, s.offset + s.size) : this.params.subarray(s.offset, s.offset + s.size);
      const t = tf.tensor(values, s.shape);
      all.push(t);
      return t;
    };
    const T = (t: Tensor) => { const r = tf.transpose(t); all.push(r); return r as Tensor2D; };
    const layers: LayerWeights[] = [];
    for (let i = 0; i < this.config.nLayers; i++) {
      const p = `h.${i}.`;
      const attnW = get(p + 'attn.c_attn.weight') as Tensor2D;
      const projW = get(p + 'attn.c_proj.weight') as Tensor2D;
      const fcW = get(p + 'mlp.c_fc.weight') as Tensor2D;
      const fc2W = get(p + 'mlp.c_proj.weight') as Tensor2D;
      layers.push({
        ln1g: get(p + 'ln_1.weight') as Tensor1D, ln1b: get(p + 'ln_1.bias') as Tensor1D,
        attnW, attnWT: T(attnW), attnB: get(p + 'attn.c_attn.bias') as Tensor1D,
        projW, projWT: T(projW), projB: get(p + 'attn.c_proj.bias') as Tensor1D,
        ln2g: get(p + 'ln_2.weight') as Tensor1D, ln2b: get(p + 'ln_2.bias') as Tensor1D,
        fcW, fcWT: T(fcW), fcB: get(p + 'mlp.c_fc.bias') as Tensor1D,
        fc2W, fc2WT: T(fc2W), fc2B: get(p + 'mlp.c_proj.bias') as Tensor1D,
      });
    }
    const lmWT = get(this.config.tieEmbeddings ? 'wte.weight' : 'lm_head.weight') as Tensor2D;
    this.device = {
      layers,
      lnfg: get('ln_f.weight') as Tensor1D, lnfb: get('ln_f.bias') as Tensor1D,
      lmW: T(lmWT), lmWT, all,
    };
    return this.device;
  }
}

/** What a layer's backward reads: kept past the forward's scope, freed right after that backward. */
function cacheTensors(c: LayerCache): Tensor[] {
  return [c.ln1.xhat, c.ln1.rstd, c.a, c.attY, c.ln2.xhat, c.ln2.rstd, c.m, c.fc.x, c.fc.s, c.g];
}
