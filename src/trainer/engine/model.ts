// The tiny GPT, read top to bottom: embeddings → L × (pre-LN attention, pre-LN GELU MLP) → LN → logits.
// A GptReplica computes loss and gradients for rows of a batch on one TensorFlow.js backend; the
// optimizer and the weights' master copy live outside it in plain Float32Arrays (see adamw.ts).
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import type { ParamLayout, ResolvedConfig } from './params';
import type { AttentionGeometry, GenerationHooks, GenerationInput, Replica } from './replica';
import { AttentionMasks, addInto, causalMask, checkTokenIds, lossTargets, rowPositions, rowTokens, sequenceSlice, sumPerRow, type RowSlice } from './rows';
import * as ops from './ops';

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
  fc: { x: Tensor2D; t: Tensor2D }; g: Tensor2D;
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
    const lossSum = tf.tidy(() => {
      const f = this.forward(w, this.embed(ids, positions), rows, slice.batch.seqLen, { mask, keep: true });
      const ce = ops.crossEntropy(tf, f.logits, tf.tensor1d(targets, 'int32'), tf.tensor1d(weights));
      const add = (name: string, t: Tensor) => addInto(grad, this.layout.byName.get(name)!.offset, t.dataSync() as Float32Array);
      // Output projection: logits = hf @ lmW, lmW = wte^T when tied.
      const dLm = tf.matMul(tf.transpose(f.lnf.y), ce.dlogits); // [D, V]
      add(tieEmbeddings ? 'wte.weight' : 'lm_head.weight', tf.transpose(dLm));
      let dh: Tensor2D = tf.matMul(ce.dlogits, w.lmWT);
      const lnf = ops.layerNormBackward(tf, dh, f.lnf.cache, w.lnfg);
      add('ln_f.weight', lnf.dg);
      add('ln_f.bias', lnf.db);
      dh = lnf.dx;
      for (let i = L - 1; i >= 0; i--) {
        const lw = w.layers[i];
        const c = f.caches[i];
        const p = `h.${i}.`;
        const fc2 = ops.linearBackward(tf, c.g, dh, lw.fc2WT);
        add(p + 'mlp.c_proj.weight', fc2.dw);
        add(p + 'mlp.c_proj.bias', fc2.db);
        const dfc = ops.geluBackward(tf, fc2.dx, c.fc);
        const fc = ops.linearBackward(tf, c.m, dfc, lw.fcWT);
        add(p + 'mlp.c_fc.weight', fc.dw);
        add(p + 'mlp.c_fc.bias', fc.db);
        const ln2 = ops.layerNormBackward(tf, fc.dx, c.ln2, lw.ln2g);
        add(p + 'ln_2.weight', ln2.dg);
        add(p + 'ln_2.bias', ln2.db);
        const dh1 = tf.add(dh, ln2.dx) as Tensor2D;
        const proj = ops.linearBackward(tf, c.attY, dh1, lw.projWT);
        add(p + 'attn.c_proj.weight', proj.dw);
        add(p + 'attn.c_proj.bias', proj.db);
        const dqkv = ops.attentionBackward(tf, proj.dx, c.att, this.attentionShape(rows, slice.batch.seqLen));
        const attn = ops.linearBackward(tf, c.a, dqkv, lw.attnWT);
        add(p + 'attn.c_attn.weight', attn.dw);
        add(p + 'attn.c_attn.bias', attn.db);
        const ln1 = ops.layerNormBackward(tf, attn.dx, c.ln1, lw.ln1g);
        add(p + 'ln_1.weight', ln1.dg);
        add(p + 'ln_1.bias', ln1.db);
        dh = tf.add(dh1, ln1.dx) as Tensor2D;
      }
      // Embedding gradients are a scatter-add of rows: done here in JS (wasm has no UnsortedSegmentSum).
      const dx0 = dh.dataSync() as Float32Array;
      const wte = this.layout.byName.get('wte.weight')!.offset;
      const wpe = this.layout.byName.get('wpe.weight')!.offset;
      for (let r = 0; r < dx0.length / D; r++) {
        addInto(grad, wte + ids[r] * D, dx0.subarray(r * D, (r + 1) * D));
        addInto(grad, wpe + positions[r] * D, dx0.subarray(r * D, (r + 1) * D));
      }
      return ce.lossSum.dataSync()[0];
    });
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
      return ops.crossEntropy(tf, f.logits, tf.tensor1d(targets, 'int32'), tf.tensor1d(weights)).lossSum.dataSync()[0];
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
    const perToken = tf.tidy(() => {
      const f = this.forward(w, this.embed(ids, positions), rows, T, { mask });
      return ops.crossEntropy(tf, f.logits, tf.tensor1d(targets, 'int32'), tf.tensor1d(weights)).weighted.dataSync() as Float32Array;
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
   * The model over embedded tokens x0 [rows·seq, D]. `keep`: return each layer's activations for the backward.
   * `outputs`: only these token indexes reach the final LayerNorm and head. `hooks`: generation's cache.
   */
  private forward(w: DeviceWeights, x0: Tensor2D, rows: number, seq: number, opts: { mask: Tensor | null; keep?: boolean; outputs?: readonly number[]; hooks?: GenerationHooks }) {
    const { tf } = this;
    const eps = this.config.layerNormEps;
    const D = this.config.dModel;
    const shape = this.attentionShape(rows, seq);
    const caches: LayerCache[] = [];
    let h = x0;
    w.layers.forEach((lw, layer) => {
      const ln1 = ops.layerNorm(tf, h, lw.ln1g, lw.ln1b, eps);
      const qkv = ops.linear(tf, ln1.y, lw.attnW, lw.attnB);
      let att: { y: Tensor2D; cache?: ops.AttentionCache };
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
      h = tf.add(h1, ops.linear(tf, fc.y, lw.fc2W, lw.fc2B)) as Tensor2D;
      if (opts.keep) caches.push({ ln1: ln1.cache, a: ln1.y, att: att.cache!, attY: att.y, ln2: ln2.cache, m: ln2.y, fc: fc.cache, g: fc.y });
    });
    if (opts.outputs) h = tf.gather(h, Array.from(opts.outputs)) as Tensor2D;
    const lnf = ops.layerNorm(tf, h, w.lnfg, w.lnfb, eps);
    return { logits: tf.matMul(lnf.y, w.lmW) as Tensor2D, lnf, caches };
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
    // Copies, not views: the cpu backend would otherwise alias the master copy the optimizer writes.
    const get = (name: string) => {
      const s = this.layout.byName.get(name)!;
      const t = tf.tensor(this.params.slice(s.offset, s.offset + s.size), s.shape);
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
