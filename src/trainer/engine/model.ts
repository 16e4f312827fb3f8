// The tiny GPT, read top to bottom: embeddings → L × (pre-LN attention, pre-LN GELU MLP) → LN → logits.
// A GptReplica computes loss and gradients for rows of a batch on one TensorFlow.js backend; the
// optimizer and the weights' master copy live outside it in plain Float32Arrays (see adamw.ts).
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import type { Batch } from './types';
import type { ParamLayout, ResolvedConfig } from './params';
import * as ops from './ops';

interface LayerWeights {
  ln1g: Tensor1D; ln1b: Tensor1D;
  attnW: Tensor2D; attnWT: Tensor2D; attnB: Tensor1D;
  projW: Tensor2D; projWT: Tensor2D; projB: Tensor1D;
  ln2g: Tensor1D; ln2b: Tensor1D;
  fcW: Tensor2D; fcWT: Tensor2D; fcB: Tensor1D;
  fc2W: Tensor2D; fc2WT: Tensor2D; fc2B: Tensor1D;
}

export interface DeviceWeights {
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

/** Rows [start, end) of a batch, with positions and the attention mask derived from its segments. */
export interface RowSlice { batch: Batch; start: number; end: number }

export class GptReplica {
  private device: DeviceWeights | null = null;
  private causalMask: { seq: number; mask: Tensor } | null = null;

  constructor(
    private readonly tf: Tf,
    readonly config: ResolvedConfig,
    readonly layout: ParamLayout,
    /** The weights' master copy, read when uploading; the owner calls `weightsChanged()` after writing it. */
    readonly params: Float32Array,
  ) {}

  weightsChanged(): void {
    if (this.device) for (const t of this.device.all) t.dispose();
    this.device = null;
  }

  dispose(): void {
    this.weightsChanged();
    this.causalMask?.mask.dispose();
    this.causalMask = null;
  }

  /**
   * Adds d(Σ wᵢ·lossᵢ)/dθ over the rows into `grad` (same layout as params) and returns the weighted loss sum.
   * Summed, not averaged: the caller divides by the trained-token count of the whole step.
   */
  accumulateGradients(slice: RowSlice, grad: Float32Array): { lossSum: number; weightSum: number } {
    const w = this.weights();
    const { tf } = this;
    const { dModel: D, nLayers: L, tieEmbeddings } = this.config;
    const { tokens: x0, positions, mask, targets, weights, weightSum, rows } = this.inputs(slice, true);
    const lossSum = tf.tidy(() => {
      const f = this.forward(w, x0, mask, rows, slice.batch.seqLen, true);
      const ce = ops.crossEntropy(tf, f.logits, targets, weights);
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
        addInto(grad, wte + slice.batch.tokens[slice.start * slice.batch.seqLen + r] * D, dx0.subarray(r * D, (r + 1) * D));
        addInto(grad, wpe + positions[r] * D, dx0.subarray(r * D, (r + 1) * D));
      }
      return ce.lossSum.dataSync()[0];
    });
    tf.dispose([x0, targets, weights]);
    if (mask !== this.causalMask?.mask) mask.dispose();
    return { lossSum, weightSum };
  }

  /** Weighted loss sum over the rows, no gradients. */
  loss(slice: RowSlice): { lossSum: number; weightSum: number } {
    const w = this.weights();
    const { tf } = this;
    const { tokens: x0, mask, targets, weights, weightSum, rows } = this.inputs(slice, true);
    const lossSum = tf.tidy(() => {
      const f = this.forward(w, x0, mask, rows, slice.batch.seqLen, false);
      return ops.crossEntropy(tf, f.logits, targets, weights).lossSum.dataSync()[0];
    });
    tf.dispose([x0, targets, weights]);
    if (mask !== this.causalMask?.mask) mask.dispose();
    return { lossSum, weightSum };
  }

  /** Σₜ wₜ·nllₜ of each row, no gradients (DPO's sequence log-probabilities are their negatives). */
  rowLosses(slice: RowSlice): Float32Array {
    const w = this.weights();
    const { tf } = this;
    const T = slice.batch.seqLen;
    const { tokens: x0, mask, targets, weights, rows } = this.inputs(slice, true);
    const perToken = tf.tidy(() => {
      const f = this.forward(w, x0, mask, rows, T, false);
      return ops.crossEntropy(tf, f.logits, targets, weights).weighted.dataSync() as Float32Array;
    });
    tf.dispose([x0, targets, weights]);
    if (mask !== this.causalMask?.mask) mask.dispose();
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let t = 0; t < T; t++) sum += perToken[r * T + t];
      out[r] = sum;
    }
    return out;
  }

  /** Logits after the last token of one sequence (at most contextLength tokens). */
  lastLogits(sequence: readonly number[]): Float32Array {
    const { tf } = this;
    const w = this.weights();
    const T = sequence.length;
    const batch: Batch = {
      batchSize: 1, seqLen: T, tokens: Int32Array.from(sequence),
      targets: new Int32Array(T), weights: new Float32Array(T),
    };
    const { tokens: x0, mask, targets, weights } = this.inputs({ batch, start: 0, end: 1 }, false);
    const out = tf.tidy(() => {
      const h = this.forward(w, x0, mask, 1, T, false, true);
      return h.logits.dataSync() as Float32Array;
    });
    tf.dispose([x0, targets, weights]);
    if (mask !== this.causalMask?.mask) mask.dispose();
    return out;
  }

  private forward(w: DeviceWeights, x0: Tensor2D, mask: Tensor, rows: number, seq: number, keep: boolean, lastOnly = false) {
    const { tf } = this;
    const eps = this.config.layerNormEps;
    const shape = this.attentionShape(rows, seq);
    const caches: LayerCache[] = [];
    let h = x0;
    for (const lw of w.layers) {
      const ln1 = ops.layerNorm(tf, h, lw.ln1g, lw.ln1b, eps);
      const att = ops.attention(tf, ops.linear(tf, ln1.y, lw.attnW, lw.attnB), mask, shape);
      const h1 = tf.add(h, ops.linear(tf, att.y, lw.projW, lw.projB)) as Tensor2D;
      const ln2 = ops.layerNorm(tf, h1, lw.ln2g, lw.ln2b, eps);
      const fc = ops.gelu(tf, ops.linear(tf, ln2.y, lw.fcW, lw.fcB));
      h = tf.add(h1, ops.linear(tf, fc.y, lw.fc2W, lw.fc2B)) as Tensor2D;
      if (keep) caches.push({ ln1: ln1.cache, a: ln1.y, att: att.cache, attY: att.y, ln2: ln2.cache, m: ln2.y, fc: fc.cache, g: fc.y });
    }
    if (lastOnly) h = tf.slice(h, [h.shape[0] - 1, 0], [1, -1]) as Tensor2D;
    const lnf = ops.layerNorm(tf, h, w.lnfg, w.lnfb, eps);
    return { logits: tf.matMul(lnf.y, w.lmW) as Tensor2D, lnf, caches };
  }

  private attentionShape(rows: number, seq: number): ops.AttentionShape {
    const { nHeads: H, dModel: D } = this.config;
    return { batch: rows, seq, heads: H, headDim: D / H };
  }

  /** Embeds tokens in JS (a row copy is cheaper than a one-hot matMul), and builds positions, mask and targets. */
  private inputs(slice: RowSlice, withTargets: boolean) {
    const { tf } = this;
    const { batch, start, end } = slice;
    const { vocabSize: V, dModel: D, contextLength } = this.config;
    const T = batch.seqLen;
    const rows = end - start;
    if (T > contextLength) throw new Error(`sequence length ${T} exceeds the model's context length ${contextLength}`);
    const base = start * T;
    const n = rows * T;
    const positions = new Int32Array(n);
    const seg = batch.segments;
    for (let r = 0; r < rows; r++) {
      let p = 0;
      for (let t = 0; t < T; t++) {
        const i = r * T + t;
        if (seg && t > 0 && seg[base + i] !== seg[base + i - 1]) p = 0;
        positions[i] = p++;
      }
    }
    const wte = this.layout.byName.get('wte.weight')!.offset;
    const wpe = this.layout.byName.get('wpe.weight')!.offset;
    const x = new Float32Array(n * D);
    const P = this.params;
    for (let i = 0; i < n; i++) {
      const tok = batch.tokens[base + i];
      if (!(tok >= 0 && tok < V)) throw new Error(`token id ${tok} is outside the vocabulary (0..${V - 1})`);
      const a = wte + tok * D;
      const b = wpe + positions[i] * D;
      for (let d = 0; d < D; d++) x[i * D + d] = P[a + d] + P[b + d];
    }
    const tgt = new Int32Array(n);
    const wts = new Float32Array(n);
    let weightSum = 0;
    if (withTargets) {
      for (let i = 0; i < n; i++) {
        const wi = batch.weights[base + i];
        if (!Number.isFinite(wi)) throw new Error(`loss weight ${wi} must be a finite number`);
        const y = batch.targets[base + i];
        if (wi !== 0 && !(y >= 0 && y < V)) throw new Error(`target id ${y} is outside the vocabulary (0..${V - 1})`);
        // A target that is never trained may be anything (e.g. -1 padding); one-hot of -1 is an all-zero row.
        tgt[i] = wi !== 0 ? y : -1;
        wts[i] = wi;
        weightSum += wi;
      }
    }
    return {
      tokens: tf.tensor2d(x, [n, D]),
      positions,
      mask: seg ? this.segmentMask(seg, base, rows, T) : this.causal(T),
      targets: tf.tensor1d(tgt, 'int32'),
      weights: tf.tensor1d(wts),
      weightSum,
      rows,
    };
  }

  private causal(T: number): Tensor {
    if (this.causalMask?.seq !== T) {
      this.causalMask?.mask.dispose();
      const m = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = NEG;
      this.causalMask = { seq: T, mask: this.tf.tensor4d(m, [1, 1, T, T]) };
    }
    return this.causalMask.mask;
  }

  private segmentMask(seg: Int32Array, base: number, rows: number, T: number): Tensor {
    const m = new Float32Array(rows * T * T);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < T; i++) {
        const si = seg[base + r * T + i];
        for (let j = 0; j < T; j++) {
          if (j > i || seg[base + r * T + j] !== si) m[(r * T + i) * T + j] = NEG;
        }
      }
    }
    return this.tf.tensor4d(m, [rows, 1, T, T]);
  }

  /** The weights as tensors, uploaded from the master copy on first use after a change (also read by generation.ts). */
  weights(): DeviceWeights {
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

const NEG = -1e9;

function addInto(dst: Float32Array, offset: number, src: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[offset + i] += src[i];
}
