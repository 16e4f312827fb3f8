// Batched, KV-cached generation: all prompts of a call go through the model together, and each new token
// costs one position per row instead of a full forward over the whole sequence.
//   prefill: prompts right-padded into one [rows·T, D] batch with positions 0..T-1 in every row; the causal
//            mask alone keeps real tokens off the padding (it only ever comes after them), so no per-row mask
//            is needed. Keys and values of each row's real positions go into the cache.
//   step:    the new tokens of the listed rows as one [n, D] batch at their own positions; attention over
//            the cache (generationCache.ts), the rest the model's own 2-D matMul blocks.
// The model (any Replica) runs the forward and hands each layer's keys and values to the cache; this file only
// decides which tokens go in and where they are cached. The session holds no tensors between calls (the cache
// is plain arrays), so disposing it only releases memory and refuses later steps.
import type { GenerationSession } from './types';
import type { Replica } from './replica';
import { KvCache } from './generationCache';

/** Runs a session's work the way the engine runs any call: one at a time, refused once the weights changed. */
export type Guard = <T>(f: () => T) => Promise<T>;

export class CachedGeneration implements GenerationSession {
  readonly size: number;
  logits: Float32Array[] = [];
  private readonly tokens: number[][];
  private cache: KvCache | null;

  /** Use `start`: the prefill needs the guard. */
  private constructor(
    private readonly replica: Replica,
    prompts: readonly number[][],
    private readonly window: number,
    private readonly guard: Guard,
  ) {
    this.size = prompts.length;
    this.tokens = prompts.map((p) => [...p]);
    this.cache = new KvCache({ rows: prompts.length, ...replica.attention, window });
  }

  static async start(replica: Replica, prompts: readonly number[][], window: number, guard: Guard): Promise<CachedGeneration> {
    prompts.forEach((p, i) => {
      if (p.length === 0) throw new Error(`sequence ${i} is empty: generation needs at least one token (e.g. BOS)`);
    });
    const s = new CachedGeneration(replica, prompts, window, guard);
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
      // A row whose sequence outgrows the window slides: positions shift for every kept token, so its
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
    const cache = this.cache!;
    const seqs = rows.map((r) => this.tokens[r].slice(-this.window));
    const T = Math.max(...seqs.map((s) => s.length));
    const ids: number[] = [];
    const positions: number[] = [];
    // Padding repeats the row's last token: any valid id works, the causal mask hides it from real tokens.
    for (const s of seqs) for (let t = 0; t < T; t++) { ids.push(s[Math.min(t, s.length - 1)]); positions.push(t); }
    const outputs = seqs.map((s, i) => i * T + s.length - 1);
    const logits = this.replica.generationForward({ ids, positions, rows: rows.length, seq: T, outputs }, {
      kv: (layer, k, v) => rows.forEach((row, i) => {
        for (let t = 0; t < seqs[i].length; t++) cache.write(layer, row, t, k, v, i * T + t);
      }),
    });
    rows.forEach((row, i) => { cache.length[row] = seqs[i].length; });
    return logits;
  }

  /** One new position per row: its k and v go into the cache, its query attends over the cache. */
  private decode(rows: readonly number[]): Float32Array[] {
    const cache = this.cache!;
    const positions = rows.map((r) => cache.length[r]);
    const ids = rows.map((r) => this.tokens[r][this.tokens[r].length - 1]);
    const logits = this.replica.generationForward({ ids, positions, rows: rows.length, seq: 1, outputs: rows.map((_, i) => i) }, {
      kv: (layer, k, v) => rows.forEach((row, i) => cache.write(layer, row, positions[i], k, v, i)),
      attend: (layer, q) => cache.attend(layer, rows, positions, q),
    });
    rows.forEach((row) => { cache.length[row]++; });
    return logits;
  }
}
