// The Llama family, read top to bottom: token embedding → L × (RMSNorm → grouped-query attention with RoPE,
// RMSNorm → SwiGLU MLP), each added to the residual stream → RMSNorm → logits. It follows transformers'
// modeling_llama (and Qwen2's q/k/v biases); parameters keep their Hugging Face names and [out, in] layouts.
// Forward and backward are hand-written from plain 2-D matMuls (llamaOps.ts), as the GPT's are (model.ts).
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import type { LlamaConfig } from './types';
import type { ParamLayout } from './params';
import type { AttentionGeometry, GenerationHooks, GenerationInput, Replica } from './replica';
import { AttentionMasks, addInto, causalMask, checkTokenIds, lossTargets, rowPositions, rowTokens, sequenceSlice, sumPerRow, type RowSlice } from './rows';
import { crossEntropy, sumRows } from './ops';
import * as lo from './llamaOps';

/** Each Linear twice: W [out, in] for the backward, Wᵀ [in, out] for the forward (both plain matMuls). */
interface Linear { w: Tensor2D; wT: Tensor2D; b?: Tensor1D }

interface LayerWeights {
  inputNorm: Tensor1D;
  q: Linear; k: Linear; v: Linear; o: Linear;
  postNorm: Tensor1D;
  gate: Linear; up: Linear; down: Linear;
}

interface DeviceWeights {
  layers: LayerWeights[];
  norm: Tensor1D;
  lmHead: Linear;
  all: Tensor[];
}

interface LayerCache {
  inputNorm: lo.RmsNormCache; a: Tensor2D;
  att: lo.GqaCache; attY: Tensor2D;
  postNorm: lo.RmsNormCache; m: Tensor2D;
  mlp: lo.SwigluCache; s: Tensor2D;
}

export class LlamaReplica implements Replica {
  readonly attention: AttentionGeometry;
  private device: DeviceWeights | null = null;
  private readonly masks: AttentionMasks;
  private readonly rope: lo.RopeTable;

  constructor(
    private readonly tf: Tf,
    readonly config: LlamaConfig,
    readonly layout: ParamLayout,
    /** The weights' master copy, read when uploading; the owner calls `weightsChanged()` after writing it. */
    readonly params: Float32Array,
  ) {
    this.masks = new AttentionMasks(tf);
    this.rope = new lo.RopeTable(lo.ropeInverseFrequencies(config));
    const { nLayers, nHeads, nKvHeads, headDim } = config;
    this.attention = { layers: nLayers, heads: nHeads, kvHeads: nKvHeads, headDim };
  }

  weightsChanged(): void {
    if (this.device) for (const t of this.device.all) t.dispose();
    this.device = null;
  }

  dispose(): void {
    this.weightsChanged();
    this.masks.dispose();
  }

  accumulateGradients(slice: RowSlice, grad: Float32Array): { lossSum: number; weightSum: number } {
    const w = this.weights();
    const { tf } = this;
    const { dModel: D, nLayers: L, tieEmbeddings } = this.config;
    const rows = slice.end - slice.start;
    const T = this.checkLength(slice.batch.seqLen);
    const ids = rowTokens(slice, this.config.vocabSize);
    const positions = rowPositions(slice);
    const { targets, weights, weightSum } = lossTargets(slice, this.config.vocabSize);
    const mask = this.masks.of(slice);
    const lossSum = tf.tidy(() => {
      const f = this.forward(w, this.embed(ids), positions, rows, T, { mask, keep: true });
      const ce = crossEntropy(tf, f.logits, tf.tensor1d(targets, 'int32'), tf.tensor1d(weights));
      const add = (name: string, t: Tensor) => addInto(grad, this.layout.byName.get(name)!.offset, t.dataSync() as Float32Array);
      const addLinear = (name: string, x: Tensor2D, dy: Tensor2D, lin: Linear): Tensor2D => {
        const g = lo.denseBackward(tf, x, dy, lin.w);
        add(name + '.weight', g.dw);
        if (lin.b) add(name + '.bias', sumRows(tf, dy));
        return g.dx;
      };
      // logits = hf @ lm_headᵀ: d lm_head = (hfᵀ @ dlogits)ᵀ, the cheaper transposes when V > D.
      add(tieEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', tf.transpose(tf.matMul(tf.transpose(f.final.y), ce.dlogits)));
      const fin = lo.rmsNormBackward(tf, tf.matMul(ce.dlogits, w.lmHead.w), f.final.cache, w.norm);
      add('model.norm.weight', fin.dg);
      let dh = fin.dx;
      for (let i = L - 1; i >= 0; i--) {
        const lw = w.layers[i];
        const c = f.caches[i];
        const p = `model.layers.${i}.`;
        // MLP: h = h1 + down(silu(gate(m)) · up(m)), m = RMSNorm(h1)
        const ds = addLinear(p + 'mlp.down_proj', c.s, dh, lw.down);
        const sw = lo.swigluBackward(tf, ds, c.mlp);
        const dm = tf.add(addLinear(p + 'mlp.gate_proj', c.m, sw.dgate, lw.gate), addLinear(p + 'mlp.up_proj', c.m, sw.dup, lw.up)) as Tensor2D;
        const post = lo.rmsNormBackward(tf, dm, c.postNorm, lw.postNorm);
        add(p + 'post_attention_layernorm.weight', post.dg);
        const dh1 = tf.add(dh, post.dx) as Tensor2D;
        // Attention: h1 = h + o(attention(rope(q(a)), rope(k(a)), v(a))), a = RMSNorm(h)
        const dAtt = addLinear(p + 'self_attn.o_proj', c.attY, dh1, lw.o);
        const g = lo.groupedAttentionBackward(tf, dAtt, c.att, this.attentionShape(rows, T));
        this.rotate(g.dq, this.config.nHeads, positions, true);
        this.rotate(g.dk, this.config.nKvHeads, positions, true);
        const da = tf.addN([
          addLinear(p + 'self_attn.q_proj', c.a, this.matrix(g.dq, this.config.nHeads), lw.q),
          addLinear(p + 'self_attn.k_proj', c.a, this.matrix(g.dk, this.config.nKvHeads), lw.k),
          addLinear(p + 'self_attn.v_proj', c.a, this.matrix(g.dv, this.config.nKvHeads), lw.v),
        ]) as Tensor2D;
        const input = lo.rmsNormBackward(tf, da, c.inputNorm, lw.inputNorm);
        add(p + 'input_layernorm.weight', input.dg);
        dh = tf.add(dh1, input.dx) as Tensor2D;
      }
      // The embedding gradient is a scatter-add of rows: done here in JS (wasm has no UnsortedSegmentSum).
      const dx0 = dh.dataSync() as Float32Array;
      const emb = this.layout.byName.get('model.embed_tokens.weight')!.offset;
      for (let r = 0; r < ids.length; r++) addInto(grad, emb + ids[r] * D, dx0.subarray(r * D, (r + 1) * D));
      return ce.lossSum.dataSync()[0];
    });
    this.masks.release(mask);
    return { lossSum, weightSum };
  }

  loss(slice: RowSlice): { lossSum: number; weightSum: number } {
    const w = this.weights();
    const { tf } = this;
    this.checkLength(slice.batch.seqLen);
    const ids = rowTokens(slice, this.config.vocabSize);
    const { targets, weights, weightSum } = lossTargets(slice, this.config.vocabSize);
    const mask = this.masks.of(slice);
    const lossSum = tf.tidy(() => {
      const f = this.forward(w, this.embed(ids), rowPositions(slice), slice.end - slice.start, slice.batch.seqLen, { mask });
      return crossEntropy(tf, f.logits, tf.tensor1d(targets, 'int32'), tf.tensor1d(weights)).lossSum.dataSync()[0];
    });
    this.masks.release(mask);
    return { lossSum, weightSum };
  }

  rowLosses(slice: RowSlice): Float32Array {
    const w = this.weights();
    const { tf } = this;
    const T = this.checkLength(slice.batch.seqLen);
    const rows = slice.end - slice.start;
    const ids = rowTokens(slice, this.config.vocabSize);
    const { targets, weights } = lossTargets(slice, this.config.vocabSize);
    const mask = this.masks.of(slice);
    const perToken = tf.tidy(() => {
      const f = this.forward(w, this.embed(ids), rowPositions(slice), rows, T, { mask });
      return crossEntropy(tf, f.logits, tf.tensor1d(targets, 'int32'), tf.tensor1d(weights)).weighted.dataSync() as Float32Array;
    });
    this.masks.release(mask);
    return sumPerRow(perToken, rows, T);
  }

  lastLogits(sequence: readonly number[]): Float32Array {
    const w = this.weights();
    const slice = sequenceSlice(sequence);
    const T = this.checkLength(sequence.length);
    const ids = rowTokens(slice, this.config.vocabSize);
    const mask = this.masks.of(slice);
    const out = this.tf.tidy(() => this.forward(w, this.embed(ids), rowPositions(slice), 1, T, { mask, outputs: [T - 1] }).logits.dataSync() as Float32Array);
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
      const { logits } = this.forward(w, this.embed(ids), input.positions, input.rows, input.seq, { mask, outputs: input.outputs, hooks });
      const all = logits.dataSync() as Float32Array;
      return input.outputs.map((_, i) => all.slice(i * V, (i + 1) * V));
    });
  }

  /**
   * The model over tokens x0 [rows·seq, D] at `positions`. `keep`: return each layer's activations for the
   * backward. `outputs`: only these token indexes reach the final norm and head. `hooks`: generation's cache.
   */
  private forward(
    w: DeviceWeights, x0: Tensor2D, positions: ArrayLike<number>, rows: number, seq: number,
    opts: { mask: Tensor | null; keep?: boolean; outputs?: readonly number[]; hooks?: GenerationHooks },
  ) {
    const { tf } = this;
    const { rmsNormEps: eps, nHeads: H, nKvHeads: Hkv, headDim: hd } = this.config;
    const shape = this.attentionShape(rows, seq);
    const caches: LayerCache[] = [];
    let h = x0;
    w.layers.forEach((lw, layer) => {
      const inputNorm = lo.rmsNorm(tf, h, lw.inputNorm, eps);
      const a = inputNorm.y;
      // Copies: rotated in place, and dataSync may hand back the backend's own buffer.
      const q = (lo.dense(tf, a, lw.q.wT, lw.q.b).dataSync() as Float32Array).slice();
      const k = (lo.dense(tf, a, lw.k.wT, lw.k.b).dataSync() as Float32Array).slice();
      const v = lo.dense(tf, a, lw.v.wT, lw.v.b).dataSync() as Float32Array;
      this.rotate(q, H, positions);
      this.rotate(k, Hkv, positions);
      opts.hooks?.kv(layer, { data: k, stride: Hkv * hd, offset: 0 }, { data: v, stride: Hkv * hd, offset: 0 });
      let att: { y: Tensor2D; cache?: lo.GqaCache };
      if (opts.hooks?.attend) att = { y: tf.tensor2d(opts.hooks.attend(layer, { data: q, stride: H * hd, offset: 0 }), [q.length / (H * hd), H * hd]) };
      else att = lo.groupedAttention(tf, q, k, v, opts.mask!, shape);
      const h1 = tf.add(h, lo.dense(tf, att.y, lw.o.wT)) as Tensor2D;
      const postNorm = lo.rmsNorm(tf, h1, lw.postNorm, eps);
      const m = postNorm.y;
      const mlp = lo.swiglu(tf, lo.dense(tf, m, lw.gate.wT), lo.dense(tf, m, lw.up.wT));
      h = tf.add(h1, lo.dense(tf, mlp.y, lw.down.wT)) as Tensor2D;
      if (opts.keep) caches.push({ inputNorm: inputNorm.cache, a, att: att.cache!, attY: att.y, postNorm: postNorm.cache, m, mlp: mlp.cache, s: mlp.y });
    });
    if (opts.outputs) h = tf.gather(h, Array.from(opts.outputs)) as Tensor2D;
    const final = lo.rmsNorm(tf, h, w.norm, eps);
    return { logits: lo.dense(tf, final.y, w.lmHead.wT), final, caches };
  }

  private checkLength(T: number): number {
    if (T > this.config.contextLength) throw new Error(`sequence length ${T} exceeds the model's context length ${this.config.contextLength}`);
    return T;
  }

  private rotate(data: Float32Array, heads: number, positions: ArrayLike<number>, inverse = false): void {
    this.rope.apply({ data, stride: heads * this.config.headDim, offset: 0 }, heads, positions, inverse);
  }

  private matrix(data: Float32Array, heads: number): Tensor2D {
    const cols = heads * this.config.headDim;
    return this.tf.tensor2d(data, [data.length / cols, cols]);
  }

  private attentionShape(rows: number, seq: number): lo.GqaShape {
    const { nHeads, nKvHeads, headDim } = this.config;
    return { batch: rows, seq, heads: nHeads, kvHeads: nKvHeads, headDim };
  }

  /** Token embeddings, looked up in the master weights in JS (a row copy is cheaper than a one-hot matMul). */
  private embed(ids: ArrayLike<number>): Tensor2D {
    const D = this.config.dModel;
    const emb = this.layout.byName.get('model.embed_tokens.weight')!.offset;
    const x = new Float32Array(ids.length * D);
    for (let i = 0; i < ids.length; i++) x.set(this.params.subarray(emb + ids[i] * D, emb + (ids[i] + 1) * D), i * D);
    return this.tf.tensor2d(x, [ids.length, D]);
  }

  /** The weights as tensors, uploaded from the master copy on first use after a change. */
  private weights(): DeviceWeights {
    if (this.device) return this.device;
    const { tf } = this;
    const all: Tensor[] = [];
    const has = (name: string) => this.layout.byName.has(name);
    // Copies, not views: the cpu backend would otherwise alias the master copy the optimizer writes.
    const get = (name: string) => {
      const s = this.layout.byName.get(name)!;
      const t = tf.tensor(this.params.slice(s.offset, s.offset + s.size), s.shape);
      all.push(t);
      return t;
    };
    const linear = (name: string): Linear => {
      const w = get(name + '.weight') as Tensor2D;
      const wT = tf.transpose(w);
      all.push(wT);
      return { w, wT, b: has(name + '.bias') ? get(name + '.bias') as Tensor1D : undefined };
    };
    const layers: LayerWeights[] = [];
    for (let i = 0; i < this.config.nLayers; i++) {
      const p = `model.layers.${i}.`;
      layers.push({
        inputNorm: get(p + 'input_layernorm.weight') as Tensor1D,
        q: linear(p + 'self_attn.q_proj'), k: linear(p + 'self_attn.k_proj'), v: linear(p + 'self_attn.v_proj'), o: linear(p + 'self_attn.o_proj'),
        postNorm: get(p + 'post_attention_layernorm.weight') as Tensor1D,
        gate: linear(p + 'mlp.gate_proj'), up: linear(p + 'mlp.up_proj'), down: linear(p + 'mlp.down_proj'),
      });
    }
    this.device = {
      layers,
      norm: get('model.norm.weight') as Tensor1D,
      lmHead: linear(this.config.tieEmbeddings ? 'model.embed_tokens' : 'lm_head'),
      all,
    };
    return this.device;
  }
}
