// Batched, KV-cached generation: all prompts of a call go through the model together, and each new token
// costs one position per row instead of a full forward over the whole sequence.
//   prefill: prompts right-padded into one [rows·T, D] batch with positions 0..T-1 in every row; the causal
//            mask alone keeps real tokens off the padding (it only ever comes after them), so no per-row mask
//            is needed. Keys and values of each row's real positions go into the cache.
//   step:    the new tokens of the listed rows as one [n, D] batch at their own positions; attention over
//            the cache (generationCache.ts), the rest the model's own 2-D matMul blocks.
// Forward only: no gradients, every tensor freed inside one tf.tidy per call. The session holds no tensors
// between calls (the cache is plain arrays), so disposing it only releases memory and refuses later steps.
// The weights are the replica's uploaded copy, fetched outside the tidy (an upload inside it would be freed).
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import type { GenerationSession } from './types';
import type { DeviceWeights, GptReplica } from './model';
import { KvCache } from './generationCache';
import * as ops from './ops';

/** Runs a session's work the way the engine runs any call: one at a time, refused once the weights changed. */
export type Guard = <T>(f: () => T) => Promise<T>;

export class CachedGeneration implements GenerationSession {
  readonly size: number;
  logits: Float32Array[] = [];
  private readonly tokens: number[][];
  private cache: KvCache | null;

  /** Use `start`: the prefill needs the guard. */
  private constructor(
    private readonly tf: Tf,
    private readonly replica: GptReplica,
    prompts: readonly number[][],
    private readonly window: number,
    private readonly guard: Guard,
  ) {
    const { nLayers, nHeads, dModel } = replica.config;
    this.size = prompts.length;
    this.tokens = prompts.map((p) => [...p]);
    this.cache = new KvCache({ rows: prompts.length, layers: nLayers, heads: nHeads, headDim: dModel / nHeads, window });
  }

  static async start(tf: Tf, replica: GptReplica, prompts: readonly number[][], window: number, guard: Guard): Promise<CachedGeneration> {
    prompts.forEach((p, i) => {
      if (p.length === 0) throw new Error(`sequence ${i} is empty: generation needs at least one token (e.g. BOS)`);
    });
    const s = new CachedGeneration(tf, replica, prompts, window, guard);
    s.logits = await guard(() => s.prefill(prompts.map((_, i) => i)));
    return s;
  }

  /**
   * Appends `tokens[i]` to row `rows[i]` and returns each listed row's next-token logits. Rows not listed do
   * not advance (a finished sequence is simply never listed again).
   */
  step(rows: readonly number[], tokens: readonly number[]): Promise<Float32Array[]> {
    if (!this.cache) return Promise.reject(new Error('the generation session was disposed'));
    if (rows.length !== tokens.length) return Promise.reject(new Error(`step got ${rows.length} rows and ${tokens.length} tokens`));
    if (new Set(rows).size !== rows.length || rows.some((r) => !(Number.isInteger(r) && r >= 0 && r < this.size))) {
      return Promise.reject(new Error(`step rows must be distinct integers in 0..${this.size - 1}, got ${rows.join(', ')}`));
    }
    if (rows.length === 0) return Promise.resolve([]);
    return this.guard(() => {
      const V = this.replica.config.vocabSize;
      tokens.forEach((t) => {
        if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`token id ${t} is outside the vocabulary (0..${V - 1})`);
      });
      rows.forEach((r, i) => this.tokens[r].push(tokens[i]));
      // A row whose sequence outgrows the window slides: learned positions shift for every kept token, so its
      // cache is void and the last `window` tokens are prefilled again (a full forward, as the uncached path
      // does every step). Rows still inside the window take the cached path.
      const slide = rows.filter((r) => this.tokens[r].length > this.window);
      const cached = rows.filter((r) => this.tokens[r].length <= this.window);
      const out = new Map<number, Float32Array>();
      if (slide.length) this.prefill(slide).forEach((l, i) => out.set(slide[i], l));
      if (cached.length) this.decode(cached).forEach((l, i) => out.set(cached[i], l));
      return rows.map((r) => out.get(r)!);
    });
  }

  dispose(): void {
    this.cache = null;
  }

  /** Full forward of each row's last `window` tokens, right-padded together; fills their cache. */
  private prefill(rows: readonly number[]): Float32Array[] {
    const { tf } = this;
    const cache = this.cache!;
    const seqs = rows.map((r) => this.tokens[r].slice(-this.window));
    const T = Math.max(...seqs.map((s) => s.length));
    const D = this.replica.config.dModel;
    const ids: number[] = [];
    const positions: number[] = [];
    // Padding repeats the row's last token: any valid id works, the causal mask hides it from real tokens.
    for (const s of seqs) for (let t = 0; t < T; t++) { ids.push(s[Math.min(t, s.length - 1)]); positions.push(t); }
    const { heads, headDim } = cache.shape;
    const shape: ops.AttentionShape = { batch: rows.length, seq: T, heads, headDim };
    const w = this.replica.weights();
    return tf.tidy(() => {
      const mask = causalMask(tf, T);
      const h = this.blocks(w, this.embed(ids, positions), (layer, qkv) => {
        const src = qkv.dataSync() as Float32Array;
        rows.forEach((row, i) => {
          for (let t = 0; t < seqs[i].length; t++) cache.write(layer, row, t, src, (i * T + t) * 3 * D);
        });
        return ops.attention(tf, qkv, mask, shape).y;
      });
      rows.forEach((row, i) => { cache.length[row] = seqs[i].length; });
      const last = tf.gather(h, seqs.map((s, i) => i * T + s.length - 1)) as Tensor2D;
      return this.head(w, last);
    });
  }

  /** One new position per row: its k and v go into the cache, its query attends over the cache. */
  private decode(rows: readonly number[]): Float32Array[] {
    const { tf } = this;
    const cache = this.cache!;
    const D = this.replica.config.dModel;
    const positions = rows.map((r) => cache.length[r]);
    const ids = rows.map((r) => this.tokens[r][this.tokens[r].length - 1]);
    const w = this.replica.weights();
    return tf.tidy(() => {
      const h = this.blocks(w, this.embed(ids, positions), (layer, qkv) => {
        const src = qkv.dataSync() as Float32Array;
        rows.forEach((row, i) => cache.write(layer, row, positions[i], src, i * 3 * D));
        const y = new Float32Array(rows.length * D);
        cache.attend(layer, rows, positions, src, y);
        return tf.tensor2d(y, [rows.length, D]);
      });
      rows.forEach((row) => { cache.length[row]++; });
      return this.head(w, h);
    });
  }

  /** The model's transformer blocks (as GptReplica.forward), with attention supplied by the caller. */
  private blocks(w: DeviceWeights, x0: Tensor2D, attend: (layer: number, qkv: Tensor2D) => Tensor2D): Tensor2D {
    const { tf } = this;
    const eps = this.replica.config.layerNormEps;
    let h = x0;
    w.layers.forEach((lw, layer) => {
      const a = ops.layerNorm(tf, h, lw.ln1g, lw.ln1b, eps).y;
      const att = attend(layer, ops.linear(tf, a, lw.attnW, lw.attnB));
      const h1 = tf.add(h, ops.linear(tf, att, lw.projW, lw.projB)) as Tensor2D;
      const m = ops.layerNorm(tf, h1, lw.ln2g, lw.ln2b, eps).y;
      h = tf.add(h1, ops.linear(tf, ops.gelu(tf, ops.linear(tf, m, lw.fcW, lw.fcB)).y, lw.fc2W, lw.fc2B)) as Tensor2D;
    });
    return h;
  }

  /** Final LayerNorm and output projection, one Float32Array of logits per row. */
  private head(w: DeviceWeights, h: Tensor2D): Float32Array[] {
    const V = this.replica.config.vocabSize;
    const lnf = ops.layerNorm(this.tf, h, w.lnfg, w.lnfb, this.replica.config.layerNormEps).y;
    const all = this.tf.matMul(lnf, w.lmW).dataSync() as Float32Array;
    return Array.from({ length: h.shape[0] }, (_, i) => all.slice(i * V, (i + 1) * V));
  }

  /** Token + position embeddings, looked up in the master weights in JS (as the model's own inputs). */
  private embed(ids: readonly number[], positions: readonly number[]): Tensor2D {
    const { layout, params: P, config } = this.replica;
    const { dModel: D, vocabSize: V } = config;
    const wte = layout.byName.get('wte.weight')!.offset;
    const wpe = layout.byName.get('wpe.weight')!.offset;
    const x = new Float32Array(ids.length * D);
    ids.forEach((tok, i) => {
      if (!(Number.isInteger(tok) && tok >= 0 && tok < V)) throw new Error(`token id ${tok} is outside the vocabulary (0..${V - 1})`);
      const a = wte + tok * D;
      const b = wpe + positions[i] * D;
      for (let d = 0; d < D; d++) x[i * D + d] = P[a + d] + P[b + d];
    });
    return this.tf.tensor2d(x, [ids.length, D]);
  }
}

function causalMask(tf: Tf, T: number): Tensor {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor4d(m, [1, 1, T, T]);
}
