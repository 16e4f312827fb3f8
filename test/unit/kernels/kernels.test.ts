import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kernels, kernelVariant, type AttentionShape, type Columns, type KernelVariant } from '../../../src/trainer/kernels/index';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_SOURCE_SHA256, KERNELS_WASM_BASE64 } from '../../../src/trainer/kernels/kernelsWasm';
import { uniform } from '../../../src/trainer/engine/rng';

const NEG = -1e9;

test('the committed WebAssembly was built from kernels.c as it is (rerun scripts/build-kernels.sh after editing it)', () => {
  const source = readFileSync(join(__dirname, '../../../src/trainer/kernels/kernels.c'));
  assert.equal(createHash('sha256').update(source).digest('hex'), KERNELS_SOURCE_SHA256);
});

test('the relaxed build fuses its multiply-adds (f32x4.relaxed_madd, 0xfd 0x85 0x02) and the plain build does not', () => {
  const madd = Buffer.from([0xfd, 0x85, 0x02]);
  assert.ok(Buffer.from(KERNELS_RELAXED_WASM_BASE64, 'base64').includes(madd));
  assert.ok(!Buffer.from(KERNELS_WASM_BASE64, 'base64').includes(madd));
});

// Both builds are checked: the one a runtime picks (relaxed SIMD, FMA) and the plain one it falls back to.
const VARIANTS: KernelVariant[] = ['relaxed', 'simd'];

test('this runtime runs the fused multiply-add build (Node 20 after turning its flag on, Electron as it is)', () => {
  if (process.env.INSTRUCT_STUDIO_KERNELS === 'simd') assert.equal(kernelVariant(), 'simd');
  else assert.equal(kernelVariant(), 'relaxed');
});

function randoms(n: number, seed: number): Float32Array {
  const r = uniform(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** Additive masks [B, T, T]: causal, and within segments when `segments` gives each row's segment starts. */
function masks(B: number, T: number, segmentStarts: number[][] | null): Float32Array {
  const m = new Float32Array(B * T * T);
  for (let b = 0; b < B; b++) {
    const seg = (t: number) => (segmentStarts ? segmentStarts[b].filter((s) => s <= t).length : 0);
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) if (j > i || seg(j) !== seg(i)) m[(b * T + i) * T + j] = NEG;
  }
  return m;
}

const at = (c: Columns, row: number, col: number) => c.data[row * c.stride + c.offset + col];

/** Attention and its gradients in float64, the obvious way, as the reference. */
function reference(q: Columns, k: Columns, v: Columns, mask: Float32Array, perRow: boolean, dy: Float32Array, s: AttentionShape) {
  const { batch: B, seq: T, heads: H, kvHeads: Hkv, headDim: hd } = s;
  const scale = 1 / Math.sqrt(hd);
  const y = new Float64Array(B * T * H * hd);
  const dq = new Float64Array(B * T * H * hd);
  const dk = new Float64Array(B * T * Hkv * hd);
  const dv = new Float64Array(B * T * Hkv * hd);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / (H / Hkv));
      const kcol = kh * hd;
      const P: number[][] = [];
      for (let t = 0; t < T; t++) {
        const row = b * T + t;
        const scores = Array.from({ length: T }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += at(q, row, h * hd + d) * at(k, b * T + j, kcol + d);
          return dot * scale + mask[((perRow ? b : 0) * T + t) * T + j];
        });
        const mx = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - mx));
        const sum = e.reduce((a, x) => a + x, 0);
        P.push(e.map((x) => x / sum));
        for (let d = 0; d < hd; d++) {
          let acc = 0;
          for (let j = 0; j < T; j++) acc += P[t][j] * at(v, b * T + j, kcol + d);
          y[row * H * hd + h * hd + d] = acc;
        }
      }
      for (let t = 0; t < T; t++) {
        const row = b * T + t;
        const dO = (d: number) => dy[row * H * hd + h * hd + d];
        const dP = Array.from({ length: T }, (_, j) => {
          let acc = 0;
          for (let d = 0; d < hd; d++) acc += dO(d) * at(v, b * T + j, kcol + d);
          return acc;
        });
        const dot = dP.reduce((a, x, j) => a + x * P[t][j], 0);
        for (let j = 0; j < T; j++) {
          const dS = P[t][j] * (dP[j] - dot) * scale;
          for (let d = 0; d < hd; d++) {
            dq[row * H * hd + h * hd + d] += dS * at(k, b * T + j, kcol + d);
            dk[(b * T + j) * Hkv * hd + kcol + d] += dS * at(q, row, h * hd + d);
            dv[(b * T + j) * Hkv * hd + kcol + d] += P[t][j] * dO(d);
          }
        }
      }
    }
  }
  return { y, dq, dk, dv };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The values of columns `c` as a dense [N, width] array. */
function dense(c: Columns, N: number, width: number): Float32Array {
  const out = new Float32Array(N * width);
  for (let r = 0; r < N; r++) for (let j = 0; j < width; j++) out[r * width + j] = at(c, r, j);
  return out;
}

const cases: Array<{ name: string; s: AttentionShape; fused: boolean; segments: number[][] | null }> = [
  { name: 'GPT-2 fused q|k|v, shared causal mask', s: { batch: 2, seq: 16, heads: 4, kvHeads: 4, headDim: 8 }, fused: true, segments: null },
  { name: 'odd sizes (T and head size not multiples of 4 or 8)', s: { batch: 3, seq: 13, heads: 2, kvHeads: 2, headDim: 6 }, fused: true, segments: null },
  { name: 'packed rows (per-row segment masks)', s: { batch: 2, seq: 24, heads: 2, kvHeads: 2, headDim: 8 }, fused: true, segments: [[0, 5, 17], [0, 9]] },
  { name: 'grouped-query attention, separate q, k, v', s: { batch: 2, seq: 20, heads: 6, kvHeads: 2, headDim: 4 }, fused: false, segments: [[0, 7], [0]] },
  { name: 'one token', s: { batch: 1, seq: 1, heads: 2, kvHeads: 1, headDim: 8 }, fused: false, segments: null },
];

for (const c of cases) for (const variant of VARIANTS) {
  test(`attention kernel (${variant}) matches a float64 reference, forward and backward: ${c.name}`, () => {
    const { batch: B, seq: T, heads: H, kvHeads: Hkv, headDim: hd } = c.s;
    const N = B * T;
    let q: Columns, k: Columns, v: Columns;
    if (c.fused) {
      const data = randoms(N * 3 * H * hd, 1);
      [q, k, v] = [0, 1, 2].map((i) => ({ data, stride: 3 * H * hd, offset: i * H * hd }));
    } else {
      q = { data: randoms(N * H * hd, 2), stride: H * hd, offset: 0 };
      k = { data: randoms(N * Hkv * hd, 3), stride: Hkv * hd, offset: 0 };
      v = { data: randoms(N * Hkv * hd, 4), stride: Hkv * hd, offset: 0 };
    }
    const perRow = c.segments !== null;
    const mask = perRow ? masks(B, T, c.segments) : masks(1, T, null);
    const dy = randoms(N * H * hd, 5);
    const ref = reference(q, k, v, mask, perRow, dy, c.s);
    const kernels = Kernels.of(variant);
    const f = kernels.attentionForward(q, k, v, mask, perRow, c.s);
    assert.ok(maxDiff(f.y, ref.y) < 1e-5, `y differs by ${maxDiff(f.y, ref.y)}`);
    // Probabilities are zero above the diagonal (the backward's products rely on it).
    for (let i = 0; i < B * H; i++) for (let t = 0; t < T; t++) for (let j = t + 1; j < T; j++) assert.equal(f.p[(i * T + t) * T + j], 0);
    const g = kernels.attentionBackward(q, k, v, f.p, dy, c.s);
    if (c.fused) assert.equal(g.dq.data, g.dk.data, 'fused inputs give one gradient buffer');
    for (const [name, got, want, width] of [['dq', g.dq, ref.dq, H * hd], ['dk', g.dk, ref.dk, Hkv * hd], ['dv', g.dv, ref.dv, Hkv * hd]] as const) {
      const d = maxDiff(dense(got, N, width), want);
      assert.ok(d < 1e-5, `${name} differs by ${d}`);
    }
  });
}

test('attention kernel: masked keys get no weight and no gradient', () => {
  const s: AttentionShape = { batch: 1, seq: 8, heads: 1, kvHeads: 1, headDim: 4 };
  const q = { data: randoms(32, 7), stride: 4, offset: 0 };
  const k = { data: randoms(32, 8), stride: 4, offset: 0 };
  const v = { data: randoms(32, 9), stride: 4, offset: 0 };
  // Two packed segments: tokens 0-2 and 3-7.
  const mask = masks(1, 8, [[0, 3]]);
  const kernels = Kernels.get();
  const f = kernels.attentionForward(q, k, v, mask, true, s);
  for (let t = 3; t < 8; t++) for (let j = 0; j < 3; j++) assert.equal(f.p[t * 8 + j], 0);
  // A gradient only on the second segment's outputs reaches none of the first segment's keys or values.
  const dy = new Float32Array(32);
  dy.fill(1, 12);
  const g = kernels.attentionBackward(q, k, v, f.p, dy, s);
  for (let i = 0; i < 12; i++) {
    assert.equal(g.dk.data[i], 0);
    assert.equal(g.dv.data[i], 0);
  }
  assert.ok(g.dv.data.slice(12).some((x) => x !== 0));
});

test('attention kernel refuses shapes it cannot run', () => {
  const c = { data: new Float32Array(64), stride: 8, offset: 0 };
  assert.throws(() => Kernels.get().attentionForward(c, c, c, new Float32Array(16), false, { batch: 1, seq: 4, heads: 3, kvHeads: 2, headDim: 2 }), /multiple of the key\/value heads/);
  assert.throws(() => Kernels.get().attentionForward(c, c, c, new Float32Array(16), false, { batch: 1, seq: 0, heads: 1, kvHeads: 1, headDim: 8 }), /seq must be a positive integer/);
  assert.throws(() => Kernels.get().attentionForward(c, c, c, new Float32Array(64), false, { batch: 2, seq: 8, heads: 1, kvHeads: 1, headDim: 8 }), /expected 128/);
  assert.throws(() => Kernels.get().attentionForward(c, c, c, new Float32Array(16), true, { batch: 2, seq: 4, heads: 1, kvHeads: 1, headDim: 8 }), /mask has 16 values, expected 32/);
  assert.throws(() => Kernels.get().attentionBackward(c, c, c, new Float32Array(15), new Float32Array(32), { batch: 1, seq: 4, heads: 1, kvHeads: 1, headDim: 8 }), /probabilities have 15 values, expected 16/);
});

for (const [K, M, N] of [[64, 16, 24], [37, 263, 13], [5, 3, 7], [1024, 8, 8]]) for (const variant of VARIANTS) {
  test(`addTransposedProduct (${variant}) adds aᵀ·b and b's column sums: [${K}, ${M}]ᵀ·[${K}, ${N}]`, () => {
    const a = randoms(K * M, 11);
    const b = randoms(K * N, 12);
    const into = randoms(M * N, 13);
    const colsum = randoms(N, 14);
    const want = Float64Array.from(into);
    const wantSum = Float64Array.from(colsum);
    for (let kk = 0; kk < K; kk++) {
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) want[i * N + j] += a[kk * M + i] * b[kk * N + j];
      for (let j = 0; j < N; j++) wantSum[j] += b[kk * N + j];
    }
    Kernels.of(variant).addTransposedProduct(a, b, K, M, N, into, colsum);
    assert.ok(maxDiff(into, want) < 1e-4 * Math.sqrt(K), `product differs by ${maxDiff(into, want)}`);
    assert.ok(maxDiff(colsum, wantSum) < 1e-4 * Math.sqrt(K), `column sums differ by ${maxDiff(colsum, wantSum)}`);
  });
}

test('addTransposedProduct refuses mismatched sizes', () => {
  assert.throws(() => Kernels.get().addTransposedProduct(new Float32Array(6), new Float32Array(6), 2, 3, 3, new Float32Array(8)), /sizes do not match/);
});
