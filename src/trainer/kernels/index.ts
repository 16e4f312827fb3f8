// The WebAssembly kernels of kernels.c (one instance per thread, its own memory): whole-layer causal attention,
// forward and backward, and the weight-gradient product xᵀ·dy, for every backend. Inputs are copied into the
// module's memory and results copied out, which costs ~1% of the work they replace. (The forward products run in
// TensorFlow.js's own memory instead: tfjsMatMul.ts.)
import { setFlagsFromString } from 'node:v8';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernelsWasm';

/** Columns [offset, offset + heads·headDim) of a row-major matrix with `stride` floats per row. */
export interface Columns { data: Float32Array; stride: number; offset: number }

export interface AttentionShape { batch: number; seq: number; heads: number; kvHeads: number; headDim: number }

export interface Exports {
  __heap_base: WebAssembly.Global;
  attention_forward(B: number, T: number, H: number, Hkv: number, hd: number, scale: number, q: number, qs: number,
    k: number, v: number, kvs: number, mask: number, maskPerRow: number, y: number, ys: number, P: number, scratch: number): void;
  attention_backward(B: number, T: number, H: number, Hkv: number, hd: number, scale: number, q: number, qs: number,
    k: number, v: number, kvs: number, P: number, dy: number, dys: number, dq: number, dk: number, dv: number, scratch: number): void;
  gemm_nn(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, bias: number, scratch: number): void;
  gemm_tn_acc(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, colsum: number, scratch: number): void;
}

/**
 * `relaxed`: the build whose products use f32x4.relaxed_madd (one fused multiply-add where the CPU has FMA, ~1.3x on
 * the products); `simd`: mul and add, which every runtime with SIMD128 runs. Both are tested against float64.
 */
export type KernelVariant = 'relaxed' | 'simd';

let shared: Kernels | null = null;
const compiled = new Map<KernelVariant, WebAssembly.Module>();
let relaxedRuns: boolean | null = null;

/**
 * Whether this runtime runs relaxed SIMD. Electron's V8 (VS Code) does as it is; Node 20 only behind
 * --experimental-wasm-relaxed-simd, which is turned on here, before the first compile (V8's wasm features are read
 * when a module is validated, and the flag is process-wide, so worker threads see it too). Node 22 has it on.
 */
function relaxedSimdRuns(): boolean {
  if (relaxedRuns !== null) return relaxedRuns;
  const bytes = Buffer.from(KERNELS_RELAXED_WASM_BASE64, 'base64');
  if (!WebAssembly.validate(bytes)) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // A runtime without the flag: the plain build.
    }
  }
  relaxedRuns = WebAssembly.validate(bytes);
  return relaxedRuns;
}

/** The fastest build this runtime runs; INSTRUCT_STUDIO_KERNELS=simd keeps the plain one (to compare, or where a runtime misbehaves). */
export function kernelVariant(): KernelVariant {
  return process.env.INSTRUCT_STUDIO_KERNELS !== 'simd' && relaxedSimdRuns() ? 'relaxed' : 'simd';
}

function compile(variant: KernelVariant): WebAssembly.Module {
  let m = compiled.get(variant);
  if (!m) {
    if (variant === 'relaxed' && !relaxedSimdRuns()) throw new Error('this runtime does not run relaxed SIMD: use the simd kernels');
    m = new WebAssembly.Module(Buffer.from(variant === 'relaxed' ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64, 'base64'));
    compiled.set(variant, m);
  }
  return m;
}

/**
 * An instance of the kernels working in `memory`: their own (Kernels), or TensorFlow.js's wasm heap (tfjsMatMul.ts),
 * which is safe because the module owns no part of any memory (no data, no stack: checked when it is built).
 */
export function instantiateKernels(memory: WebAssembly.Memory, variant: KernelVariant = kernelVariant()): Exports {
  return new WebAssembly.Instance(compile(variant), { env: { memory } }).exports as unknown as Exports;
}

/** Places float arrays one after another in the module's memory (byte offsets, 16-byte aligned for SIMD). */
class Layout {
  private at: number;
  constructor(base: number) { this.at = Math.ceil(base / 16) * 16; }
  take(floats: number): number {
    const p = this.at;
    this.at += Math.ceil((floats * 4) / 16) * 16;
    return p;
  }
  get end(): number { return this.at; }
}

export class Kernels {
  private readonly memory = new WebAssembly.Memory({ initial: 16 });
  private readonly k: Exports;
  private readonly base: number;

  private constructor(variant: KernelVariant) {
    this.k = instantiateKernels(this.memory, variant);
    this.base = this.k.__heap_base.value as number;
  }

  /** This thread's instance (compiled on first use: ~1 ms). */
  static get(): Kernels {
    shared ??= new Kernels(kernelVariant());
    return shared;
  }

  /** A separate instance of one build (tests run both). */
  static of(variant: KernelVariant): Kernels {
    return new Kernels(variant);
  }

  /**
   * Causal attention over `batch` rows of `seq` tokens: y [B·T, H·hd] and the probabilities P [B, H, T, T] the
   * backward needs. q, k, v are already projected (and rotated, for RoPE); the 1/√hd scale is applied here.
   * `mask` is additive [T, T], or [B, T, T] when `maskPerRow`; it must be -1e9 (or lower) above the diagonal,
   * which is never read.
   */
  attentionForward(q: Columns, k: Columns, v: Columns, mask: Float32Array, maskPerRow: boolean, s: AttentionShape): { y: Float32Array; p: Float32Array } {
    const { batch: B, seq: T, heads: H, kvHeads: Hkv, headDim: hd } = s;
    checkShape(s);
    const N = B * T;
    const maskFloats = (maskPerRow ? B : 1) * T * T;
    if (mask.length < maskFloats) throw new Error(`attention mask has ${mask.length} values, expected ${maskFloats}`);
    const L = new Layout(this.base);
    const src = this.place(L, [q, k, v], N);
    const maskP = L.take(maskFloats);
    const yP = L.take(N * H * hd);
    const pP = L.take(B * H * T * T);
    const scratch = L.take(3 * T * hd);
    this.reserve(L.end);
    const f = new Float32Array(this.memory.buffer);
    this.copyIn(f, src, [q, k, v], N);
    f.set(mask.subarray(0, maskFloats), maskP / 4);
    this.k.attention_forward(B, T, H, Hkv, hd, 1 / Math.sqrt(hd), src[0].ptr, src[0].stride, src[1].ptr, src[2].ptr, src[1].stride,
      maskP, maskPerRow ? 1 : 0, yP, H * hd, pP, scratch);
    return { y: f.slice(yP / 4, yP / 4 + N * H * hd), p: f.slice(pP / 4, pP / 4 + B * H * T * T) };
  }

  /**
   * Gradients of attentionForward from dy [B·T, H·hd]: dq [B·T, H·hd] and dk, dv [B·T, Hkv·hd], as columns of one
   * buffer when q, k and v were columns of one (GPT-2's fused c_attn), else of three.
   */
  attentionBackward(q: Columns, k: Columns, v: Columns, p: Float32Array, dy: Float32Array, s: AttentionShape): { dq: Columns; dk: Columns; dv: Columns } {
    const { batch: B, seq: T, heads: H, kvHeads: Hkv, headDim: hd } = s;
    checkShape(s);
    const N = B * T;
    if (p.length !== B * H * T * T) throw new Error(`attention probabilities have ${p.length} values, expected ${B * H * T * T}`);
    if (dy.length !== N * H * hd) throw new Error(`attention output gradient has ${dy.length} values, expected ${N * H * hd}`);
    const L = new Layout(this.base);
    const src = this.place(L, [q, k, v], N);
    const pP = L.take(p.length);
    const dyP = L.take(dy.length);
    const fused = q.data === k.data && k.data === v.data;
    const dqP = fused ? 0 : L.take(N * H * hd);
    const dkP = fused ? 0 : L.take(N * Hkv * hd);
    const dvP = fused ? 0 : L.take(N * Hkv * hd);
    const gradP = fused ? L.take(N * q.stride) : 0;
    const scratch = L.take(5 * T * hd + T * T);
    this.reserve(L.end);
    const f = new Float32Array(this.memory.buffer);
    this.copyIn(f, src, [q, k, v], N);
    f.set(p, pP / 4);
    f.set(dy, dyP / 4);
    // The gradients in the inputs' own layout: columns of one buffer of the fused width, or three buffers.
    const d = fused
      ? [q, k, v].map((c) => ({ ptr: gradP + c.offset * 4, stride: c.stride }))
      : [{ ptr: dqP, stride: H * hd }, { ptr: dkP, stride: Hkv * hd }, { ptr: dvP, stride: Hkv * hd }];
    const first = fused ? gradP : dqP;
    const floats = fused ? N * q.stride : N * (H + 2 * Hkv) * hd;
    f.fill(0, first / 4, first / 4 + floats);
    this.k.attention_backward(B, T, H, Hkv, hd, 1 / Math.sqrt(hd), src[0].ptr, src[0].stride, src[1].ptr, src[2].ptr, src[1].stride,
      pP, dyP, H * hd, d[0].ptr, d[1].ptr, d[2].ptr, scratch);
    if (fused) {
      const data = f.slice(gradP / 4, gradP / 4 + N * q.stride);
      return { dq: { data, stride: q.stride, offset: q.offset }, dk: { data, stride: k.stride, offset: k.offset }, dv: { data, stride: v.stride, offset: v.offset } };
    }
    return {
      dq: { data: f.slice(dqP / 4, dqP / 4 + N * H * hd), stride: H * hd, offset: 0 },
      dk: { data: f.slice(dkP / 4, dkP / 4 + N * Hkv * hd), stride: Hkv * hd, offset: 0 },
      dv: { data: f.slice(dvP / 4, dvP / 4 + N * Hkv * hd), stride: Hkv * hd, offset: 0 },
    };
  }

  /**
   * into [M, N] += aᵀ·b for a [K, M] and b [K, N] (a weight's gradient xᵀ·dy summed over K rows), and, when
   * given, colsum [N] += b's column sums (its bias's gradient). XNNPACK would need a transpose and a repack of
   * b on every call: about half as fast on these shapes.
   */
  addTransposedProduct(a: Float32Array, b: Float32Array, K: number, M: number, N: number, into: Float32Array, colsum?: Float32Array): void {
    if (a.length < K * M || b.length < K * N || into.length !== M * N || (colsum && colsum.length !== N)) {
      throw new Error(`addTransposedProduct: sizes do not match [${K}, ${M}]ᵀ·[${K}, ${N}] (got ${a.length}, ${b.length}, ${into.length}${colsum ? `, ${colsum.length}` : ''})`);
    }
    const L = new Layout(this.base);
    const aP = L.take(K * M);
    const bP = L.take(K * N);
    const cP = L.take(M * N);
    const sP = colsum ? L.take(N) : 0;
    const scratch = L.take(M * K + K * 8);
    this.reserve(L.end);
    const f = new Float32Array(this.memory.buffer);
    f.set(a.subarray(0, K * M), aP / 4);
    f.set(b.subarray(0, K * N), bP / 4);
    f.set(into, cP / 4);
    if (colsum) f.set(colsum, sP / 4);
    this.k.gemm_tn_acc(M, N, K, aP, M, bP, N, cP, N, sP, scratch);
    into.set(f.subarray(cP / 4, cP / 4 + M * N));
    if (colsum) colsum.set(f.subarray(sP / 4, sP / 4 + N));
  }

  /** Where q, k and v go in memory: once when they are columns of the same buffer, else one block each. */
  private place(L: Layout, cols: Columns[], N: number): Array<{ ptr: number; stride: number }> {
    const [q] = cols;
    if (cols.every((c) => c.data === q.data && c.stride === q.stride)) {
      const ptr = L.take(N * q.stride);
      return cols.map((c) => ({ ptr: ptr + c.offset * 4, stride: c.stride }));
    }
    return cols.map((c) => ({ ptr: L.take(N * c.stride) + c.offset * 4, stride: c.stride }));
  }

  private copyIn(f: Float32Array, at: Array<{ ptr: number; stride: number }>, cols: Columns[], N: number): void {
    const done = new Set<Float32Array>();
    cols.forEach((c, i) => {
      if (done.has(c.data)) return;
      done.add(c.data);
      const need = N * c.stride;
      if (c.data.length < need) throw new Error(`attention input has ${c.data.length} values, expected ${need}`);
      f.set(c.data.subarray(0, need), (at[i].ptr - c.offset * 4) / 4);
    });
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }
}

function checkShape(s: AttentionShape): void {
  const { batch, seq, heads, kvHeads, headDim } = s;
  for (const [name, v] of Object.entries({ batch, seq, heads, kvHeads, headDim })) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`attention ${name} must be a positive integer, got ${v}`);
  }
  if (heads % kvHeads !== 0) throw new Error(`attention heads (${heads}) must be a multiple of the key/value heads (${kvHeads})`);
}
