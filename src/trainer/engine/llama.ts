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
import { crossEntropy, peek, sumRows, tidyKeeping } from './ops';
import { Kernels } from '../kernels/index';
import { matMul } from '../kernels/tfjsMatMul';
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

  /**
   * Adds d(Σ wᵢ·lossᵢ)/dθ over the rows into `grad` and returns the weighted loss sum. Memory as the GPT's
   * (model.ts): the forward keeps only what the backward reads, per layer, and the backward frees each layer's
   * activations as it passes it; the wasm heap grows to the peak of live tensors and never shrinks.
   */
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
    // Each weight-shaped gradient goes into `grad` as soon as it is computed and is freed at once.
    const add = (name: string, t: Tensor) => {
      addInto(grad, this.layout.byName.get(name)!.offset, peek(tf, t));
      t.dispose();
    };
    const x0 = this.embed(ids);
    const f = this.forward(w, x0, positions, rows, T, { mask, keep: true });
    x0.dispose(); // the embedding's gradient is taken in JS, from ids alone
    let lossSum = 0;
    let dh = tf.tidy(() => {
      const ce = crossEntropy(tf, f.logits, tf.tensor1d(targets, 'int32'), tf.tensor1d(weights));
      lossSum = ce.lossSum.dataSync()[0];
      // The head's peak is here, logits and dlogits [N, V]: nothing reads the logits after this, and dlogits is
      // freed before the final norm's backward.
      f.logits.dispose();
      const dhf = matMul(tf, ce.dlogits, w.lmHead.w);
      // logits = hf @ lm_headᵀ: d lm_head = dlogitsᵀ @ hf, added straight into `grad`.
      const lm = this.layout.byName.get(tieEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight')!;
      const N = ce.dlogits.shape[0];
      Kernels.get().addTransposedProduct(peek(tf, ce.dlogits), peek(tf, f.final.y), N, this.config.vocabSize, D, grad.subarray(lm.offset, lm.offset + lm.size));
      ce.dlogits.dispose();
      const fin = lo.rmsNormBackward(tf, dhf, f.final.cache, w.norm);
      add('model.norm.weight', fin.dg);
      return fin.dx;
    });
    tf.dispose([f.final.y, f.final.cache.xhat, f.final.cache.rstd]);
    for (let i = L - 1; i >= 0; i--) {
      const c = f.caches[i];
      const next = this.layerBackward(i, w.layers[i], c, dh, positions, rows, T, add, (name) => {
        const spec = this.layout.byName.get(name)!;
        return grad.subarray(spec.offset, spec.offset + spec.size);
      });
      dh.dispose();
      tf.dispose(cacheTensors(c));
      dh = next;
    }
    // The embedding gradient is a scatter-add of rows: done here in JS (wasm has no UnsortedSegmentSum).
    const dx0 = peek(tf, dh);
    const emb = this.layout.byName.get('model.embed_tokens.weight')!.offset;
    for (let r = 0; r < ids.length; r++) addInto(grad, emb + ids[r] * D, dx0.subarray(r * D, (r + 1) * D));
    dh.dispose();
    this.masks.release(mask);
    return { lossSum, weightSum };
  }

  /**
   * One layer's backward from dh, the gradient of its output; returns that of its input. The MLP, the attention
   * and the q/k/v projections each run in their own tf.tidy: a layer's peak is the largest of the three, not their sum.
   */
  private layerBackward(
    i: number, lw: LayerWeights, c: LayerCache, dh: Tensor2D, positions: ArrayLike<number>, rows: number, T: number,
    add: (name: string, t: Tensor) => void, gradOf: (name: string) => Float32Array,
  ): Tensor2D {
    const { tf } = this;
    const { nHeads: H, nKvHeads: Hkv } = this.config;
    const p = `model.layers.${i}.`;
    const addLinear = (name: string, x: Tensor2D, dy: Tensor2D, lin: Linear): Tensor2D => {
      if (lin.b) add(name + '.bias', sumRows(tf, dy));
      return lo.denseBackwardInto(tf, x, dy, lin.w, gradOf(name + '.weight'));
    };
    // MLP: h = h1 + down(silu(gate(m)) · up(m)), m = RMSNorm(h1)
    const dh1 = tf.tidy(() => {
      const ds = addLinear(p + 'mlp.down_proj', c.s, dh, lw.down);
      const sw = lo.swigluBackward(tf, ds, c.mlp);
      const dm = tf.add(addLinear(p + 'mlp.gate_proj', c.m, sw.dgate, lw.gate), addLinear(p + 'mlp.up_proj', c.m, sw.dup, lw.up)) as Tensor2D;
      const post = lo.rmsNormBackward(tf, dm, c.postNorm, lw.postNorm);
      add(p + 'post_attention_layernorm.weight', post.dg);
      return tf.add(dh, post.dx) as Tensor2D;
    });
    // Attention: h1 = h + o(attention(rope(q(a)), rope(k(a)), v(a))), a = RMSNorm(h). Its gradients come back as
    // JS arrays (RoPE is undone there), so the tidy frees every per-head tensor of it.
    let g: { dq: Float32Array; dk: Float32Array; dv: Float32Array } | undefined;
    tf.tidy(() => {
      const dAtt = addLinear(p + 'self_attn.o_proj', c.attY, dh1, lw.o);
      g = lo.groupedAttentionBackward(tf, dAtt, c.att, this.attentionShape(rows, T));
    });
    const { dq, dk, dv } = g!;
    this.rotate(dq, H, positions, true);
    this.rotate(dk, Hkv, positions, true);
    const dx = tf.tidy(() => {
      const da = tf.addN([
        addLinear(p + 'self_attn.q_proj', c.a, this.matrix(dq, H), lw.q),
        addLinear(p + 'self_attn.k_proj', c.a, this.matrix(dk, Hkv), lw.k),
        addLinear(p + 'self_attn.v_proj', c.a, this.matrix(dv, Hkv), lw.v),
      ]) as Tensor2D;
      const input = lo.rmsNormBackward(tf, da, c.inputNorm, lw.inputNorm);
      add(p + 'input_layernorm.weight', input.dg);
      return tf.add(dh1, input.dx) as Tensor2D;
    });
    dh1.dispose();
    return dx;
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
   * The model over tokens x0 [rows·seq, D] at `positions`, each layer in its own tf.tidy. `keep`: return each
   * layer's activations for the backward, only those it reads (the caller frees them layer by layer).
   * `outputs`: only these token indexes reach the final norm and head. `hooks`: generation's cache.
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
      const block = () => {
        const inputNorm = lo.rmsNorm(tf, h, lw.inputNorm, eps);
        const a = inputNorm.y;
        // Copies: rotated in place, kept as attention's cache, and dataSync may hand back the backend's own buffer.
        const q = (lo.dense(tf, a, lw.q.wT, lw.q.b).dataSync() as Float32Array).slice();
        const k = (lo.dense(tf, a, lw.k.wT, lw.k.b).dataSync() as Float32Array).slice();
        const v = (lo.dense(tf, a, lw.v.wT, lw.v.b).dataSync() as Float32Array).slice();
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
        const out = tf.add(h1, lo.dense(tf, mlp.y, lw.down.wT)) as Tensor2D;
        return { out, cache: { inputNorm: inputNorm.cache, a, att: att.cache!, attY: att.y, postNorm: postNorm.cache, m, mlp: mlp.cache, s: mlp.y } };
      };
      // Without `keep` too: evaluation would otherwise hold every layer's activations, past training's peak.
      // The output is returned, not kept, so that a caller's own tf.tidy still frees the last one.
      const out = tf.tidy(() => {
        const b = block();
        if (opts.keep) {
          for (const t of cacheTensors(b.cache)) tf.keep(t);
          caches.push(b.cache);
        }
        return b.out;
      });
      if (h !== x0) h.dispose();
      h = out;
    });
    if (opts.outputs) h = tf.gather(h, Array.from(opts.outputs)) as Tensor2D;
    const hf = h;
    const head = () => {
      const final = lo.rmsNorm(tf, hf, w.norm, eps);
      return { logits: lo.dense(tf, final.y, w.lmHead.wT), final };
    };
    if (!opts.keep) return { ...head(), caches };
    const kept = tidyKeeping(tf, head, (k) => [k.logits, k.final.y, k.final.cache.xhat, k.final.cache.rstd]);
    if (hf !== x0) hf.dispose();
    return { ...kept, caches };
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

/** What a layer's backward reads: kept past the forward's scope, freed right after that backward. */
function cacheTensors(c: LayerCache): Tensor[] {
  return [
    c.inputNorm.xhat, c.inputNorm.rstd, c.a, c.attY,
    c.postNorm.xhat, c.postNorm.rstd, c.m, c.mlp.gate, c.mlp.up, c.mlp.sig, c.s,
  ];
}
