// Float32 kernels for training on CPU, compiled to WebAssembly SIMD128 (scripts/build-kernels.sh).
// Why not TensorFlow.js's own kernels: attention as tfjs ops is ~6 small matMuls per (batch, head), each a
// kernel dispatch with an XNNPACK operator created and its right-hand side repacked per call, plus gathers
// and transposes in JS; here one call runs a whole layer's attention with the products blocked in registers
// and the causal half of every product skipped. No libc, no static data, no stack (scripts/build-kernels.sh
// checks): the module touches only the buffers it is given, so it can share TensorFlow.js's own wasm memory.
#include <wasm_simd128.h>

// c + a·b. Built twice (scripts/build-kernels.sh): with relaxed SIMD it is one fused multiply-add where the CPU has
// FMA (~1.3x on the products: the 4x8 blocks are bound by issuing mul and add separately), else a mul and an add.
#ifdef __wasm_relaxed_simd__
#define MADD(c, a, b) wasm_f32x4_relaxed_madd(a, b, c)
#else
#define MADD(c, a, b) wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
#endif
#define EXPORT(name) __attribute__((export_name(#name)))

// Which part of a product a causal mask leaves non-zero (rows i of the output, columns j, contraction k):
enum {
  FULL = 0,
  UPTO_ROW_N = 1, // only C[i, j] with j <= i is needed (scores: later columns are masked out)
  UPTO_ROW_K = 2, // A[i, k] == 0 for k > i (probabilities times values)
  FROM_ROW_K = 3, // A is stored transposed and A[k, i] == 0 for k < i (gradients of keys and values)
};

static inline float a_at(const float *A, int lda, int ta, int i, int k) { return ta ? A[k * lda + i] : A[i * lda + k]; }

// C[M, N] = (acc ? C : 0) + op(A)·B, op(A) = A [M, K] or, when ta, Aᵀ with A stored [K, M]. B is [K, N].
// Register-blocked 4 rows × 8 columns; leftovers in scalar code.
static void gemm_core(int M, int N, int K, const float *A, int lda, int ta, const float *B, int ldb,
                      float *C, int ldc, int acc, int causal) {
  const int N8 = N & ~7;
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    int jEnd = causal == UPTO_ROW_N ? (i + 4 < N ? i + 4 : N) : N;
    int k0 = causal == FROM_ROW_K ? i : 0;
    int k1 = causal == UPTO_ROW_K ? (i + 4 < K ? i + 4 : K) : K;
    int j = 0;
    for (; j < N8 && j < jEnd; j += 8) {
      v128_t c00, c01, c10, c11, c20, c21, c30, c31;
      if (acc) {
        c00 = wasm_v128_load(C + (i + 0) * ldc + j); c01 = wasm_v128_load(C + (i + 0) * ldc + j + 4);
        c10 = wasm_v128_load(C + (i + 1) * ldc + j); c11 = wasm_v128_load(C + (i + 1) * ldc + j + 4);
        c20 = wasm_v128_load(C + (i + 2) * ldc + j); c21 = wasm_v128_load(C + (i + 2) * ldc + j + 4);
        c30 = wasm_v128_load(C + (i + 3) * ldc + j); c31 = wasm_v128_load(C + (i + 3) * ldc + j + 4);
      } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0.f);
      }
      const float *b = B + k0 * ldb + j;
      // The four A values of step k: a column of 4 in A, or a contiguous run when A is stored transposed.
      const float *a = ta ? A + k0 * lda + i : A + i * lda + k0;
      const int as = ta ? 1 : lda, ak = ta ? lda : 1;
      for (int k = k0; k < k1; k++, a += ak, b += ldb) {
        v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
        v128_t a0 = wasm_v128_load32_splat(a), a1 = wasm_v128_load32_splat(a + as);
        v128_t a2 = wasm_v128_load32_splat(a + 2 * as), a3 = wasm_v128_load32_splat(a + 3 * as);
        c00 = MADD(c00, a0, b0); c01 = MADD(c01, a0, b1);
        c10 = MADD(c10, a1, b0); c11 = MADD(c11, a1, b1);
        c20 = MADD(c20, a2, b0); c21 = MADD(c21, a2, b1);
        c30 = MADD(c30, a3, b0); c31 = MADD(c31, a3, b1);
      }
      wasm_v128_store(C + (i + 0) * ldc + j, c00); wasm_v128_store(C + (i + 0) * ldc + j + 4, c01);
      wasm_v128_store(C + (i + 1) * ldc + j, c10); wasm_v128_store(C + (i + 1) * ldc + j + 4, c11);
      wasm_v128_store(C + (i + 2) * ldc + j, c20); wasm_v128_store(C + (i + 2) * ldc + j + 4, c21);
      wasm_v128_store(C + (i + 3) * ldc + j, c30); wasm_v128_store(C + (i + 3) * ldc + j + 4, c31);
    }
    for (int r = i; r < i + 4; r++) {
      for (int jj = j; jj < jEnd; jj++) {
        float s = acc ? C[r * ldc + jj] : 0.f;
        for (int k = k0; k < k1; k++) s += a_at(A, lda, ta, r, k) * B[k * ldb + jj];
        C[r * ldc + jj] = s;
      }
    }
  }
  for (int r = i; r < M; r++) {
    int jEnd = causal == UPTO_ROW_N ? (r + 1 < N ? r + 1 : N) : N;
    for (int jj = 0; jj < jEnd; jj++) {
      float s = acc ? C[r * ldc + jj] : 0.f;
      for (int k = 0; k < K; k++) s += a_at(A, lda, ta, r, k) * B[k * ldb + jj];
      C[r * ldc + jj] = s;
    }
  }
}

// The register block both packed products share: C[4, 8] = (accumulate ? C : rows of z0 | z1) + Σₖ a[k]ᵀ·b[k],
// with a packed k-major in fours ([K][4]) and b in eights ([K][8]). Always inlined, so each caller's constant
// `accumulate` leaves no branch in its loop.
static inline __attribute__((always_inline)) void block_4x8(int K, const float *a, const float *b, float *C, int ldc, int accumulate, v128_t z0, v128_t z1) {
  v128_t c00 = z0, c01 = z1, c10 = z0, c11 = z1, c20 = z0, c21 = z1, c30 = z0, c31 = z1;
  if (accumulate) {
    c00 = wasm_v128_load(C); c01 = wasm_v128_load(C + 4);
    c10 = wasm_v128_load(C + ldc); c11 = wasm_v128_load(C + ldc + 4);
    c20 = wasm_v128_load(C + 2 * ldc); c21 = wasm_v128_load(C + 2 * ldc + 4);
    c30 = wasm_v128_load(C + 3 * ldc); c31 = wasm_v128_load(C + 3 * ldc + 4);
  }
  for (int k = 0; k < K; k++, a += 4, b += 8) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t a0 = wasm_v128_load32_splat(a), a1 = wasm_v128_load32_splat(a + 1);
    v128_t a2 = wasm_v128_load32_splat(a + 2), a3 = wasm_v128_load32_splat(a + 3);
    c00 = MADD(c00, a0, b0); c01 = MADD(c01, a0, b1);
    c10 = MADD(c10, a1, b0); c11 = MADD(c11, a1, b1);
    c20 = MADD(c20, a2, b0); c21 = MADD(c21, a2, b1);
    c30 = MADD(c30, a3, b0); c31 = MADD(c31, a3, b1);
  }
  wasm_v128_store(C, c00); wasm_v128_store(C + 4, c01);
  wasm_v128_store(C + ldc, c10); wasm_v128_store(C + ldc + 4, c11);
  wasm_v128_store(C + 2 * ldc, c20); wasm_v128_store(C + 2 * ldc + 4, c21);
  wasm_v128_store(C + 3 * ldc, c30); wasm_v128_store(C + 3 * ldc + 4, c31);
}

// C[M, N] += Aᵀ·B with A stored [K, M] and B [K, N], for weight gradients (xᵀ·dy over a batch's K rows), and,
// when colsum is not null, colsum[N] += the column sums of B (the bias gradient). Both operands are first copied
// to `scratch` (M·K + K·8 floats): A in blocks of 4 columns, k-major, and one 8-column panel of B at a time, so
// the inner loop reads both contiguously (in place, with K in the thousands, every step is a new cache line).
EXPORT(gemm_tn_acc)
void gemm_tn_acc(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, float *colsum, float *scratch) {
  const int N8 = N & ~7, M4 = M & ~3;
  float *pa = scratch, *pb = scratch + M4 * K;
  for (int i = 0; i < M4; i += 4)
    for (int k = 0; k < K; k++) wasm_v128_store(pa + i * K + k * 4, wasm_v128_load(A + k * lda + i));
  for (int j = 0; j < N8; j += 8) {
    v128_t s0 = wasm_f32x4_splat(0.f), s1 = wasm_f32x4_splat(0.f);
    for (int k = 0; k < K; k++) {
      v128_t b0 = wasm_v128_load(B + k * ldb + j), b1 = wasm_v128_load(B + k * ldb + j + 4);
      s0 = wasm_f32x4_add(s0, b0);
      s1 = wasm_f32x4_add(s1, b1);
      wasm_v128_store(pb + k * 8, b0);
      wasm_v128_store(pb + k * 8 + 4, b1);
    }
    if (colsum) {
      wasm_v128_store(colsum + j, wasm_f32x4_add(wasm_v128_load(colsum + j), s0));
      wasm_v128_store(colsum + j + 4, wasm_f32x4_add(wasm_v128_load(colsum + j + 4), s1));
    }
    for (int i = 0; i < M4; i += 4) block_4x8(K, pa + i * K, pb, C + i * ldc + j, ldc, 1, wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f));
  }
  // Leftover rows and columns.
  if (colsum)
    for (int j = N8; j < N; j++) {
      float s = 0.f;
      for (int k = 0; k < K; k++) s += B[k * ldb + j];
      colsum[j] += s;
    }
  for (int i = 0; i < M; i++)
    for (int j = i < M4 ? N8 : 0; j < N; j++) {
      float s = C[i * ldc + j];
      for (int k = 0; k < K; k++) s += A[k * lda + i] * B[k * ldb + j];
      C[i * ldc + j] = s;
    }
}

// C[M, N] = A·B (+ bias) for A [M, K] (row stride lda) and B [K, N] (row stride ldb), for the forward of a linear
// layer and its input gradient. `scratch` holds M·K + K·8 floats: A in blocks of 4 rows stored k-major (the 4 values
// a step splats are adjacent) and one 8-column panel of B at a time. ~1.3× XNNPACK's wasm GEMM on this model's shapes.
EXPORT(gemm_nn)
void gemm_nn(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, const float *bias, float *scratch) {
  const int N8 = N & ~7, M4 = M & ~3;
  float *pa = scratch, *pb = scratch + M4 * K;
  for (int i = 0; i < M4; i += 4)
    for (int k = 0; k < K; k++)
      for (int r = 0; r < 4; r++) pa[i * K + k * 4 + r] = A[(i + r) * lda + k];
  for (int j = 0; j < N8; j += 8) {
    for (int k = 0; k < K; k++) {
      wasm_v128_store(pb + k * 8, wasm_v128_load(B + k * ldb + j));
      wasm_v128_store(pb + k * 8 + 4, wasm_v128_load(B + k * ldb + j + 4));
    }
    const v128_t z0 = bias ? wasm_v128_load(bias + j) : wasm_f32x4_splat(0.f);
    const v128_t z1 = bias ? wasm_v128_load(bias + j + 4) : wasm_f32x4_splat(0.f);
    for (int i = 0; i < M4; i += 4) block_4x8(K, pa + i * K, pb, C + i * ldc + j, ldc, 0, z0, z1);
    // Leftover rows with the block's very operations, so that a row's result does not depend on whether it shares
    // a block with others (with fused multiply-adds a scalar loop would round differently): a prompt decoded
    // alone gives the same logits as in a batch.
    for (int i = M4; i < M; i++) {
      v128_t c0 = z0, c1 = z1;
      for (int k = 0; k < K; k++) {
        v128_t a = wasm_v128_load32_splat(A + i * lda + k);
        c0 = MADD(c0, a, wasm_v128_load(pb + k * 8)); c1 = MADD(c1, a, wasm_v128_load(pb + k * 8 + 4));
      }
      wasm_v128_store(C + i * ldc + j, c0); wasm_v128_store(C + i * ldc + j + 4, c1);
    }
  }
  // Leftover columns, every row alike.
  for (int i = 0; i < M; i++)
    for (int j = N8; j < N; j++) {
      float s = bias ? bias[j] : 0.f;
      for (int k = 0; k < K; k++) s += A[i * lda + k] * B[k * ldb + j];
      C[i * ldc + j] = s;
    }
}

// e^x for x <= 0 (softmax after subtracting the row maximum), to ~1 ulp: x = n·ln2 + r with |r| <= ln2/2,
// e^r by its Taylor series to r^7, 2^n put in the exponent bits. Below -87.3 the result is 0.
static inline float exp_nonpositive(float x) {
  if (x < -87.3f) return 0.f;
  float n = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693145751953125f - n * 1.428606765330187045e-06f;
  float p = 1.f + r * (1.f + r * (0.5f + r * (1.f / 6 + r * (1.f / 24 + r * (1.f / 120 + r * (1.f / 720 + r * (1.f / 5040)))))));
  union { float f; int i; } u;
  u.i = ((int)n + 127) << 23;
  return p * u.f;
}

static void gather(float *dst, const float *src, int T, int stride, int hd, int transposed) {
  for (int t = 0; t < T; t++)
    for (int d = 0; d < hd; d++) {
      if (transposed) dst[d * T + t] = src[t * stride + d];
      else dst[t * hd + d] = src[t * stride + d];
    }
}

// Causal attention forward for B rows of T tokens, H query heads sharing Hkv key/value heads (GQA; Hkv = H
// for plain multi-head). q[b·T + t, h·hd + d] with row stride qs; k and v with row stride kvs. `mask` is
// additive [T, T] (or [B, T, T] when maskPerRow), already -1e9 wherever it must be; only j <= t is read.
// Writes y [B·T, H·hd] (row stride ys) and the probabilities P [B, H, T, T] (zero above the diagonal),
// which the backward reads. scratch: 3·T·hd floats.
EXPORT(attention_forward)
void attention_forward(int B, int T, int H, int Hkv, int hd, float scale, const float *q, int qs,
                       const float *k, const float *v, int kvs, const float *mask, int maskPerRow,
                       float *y, int ys, float *P, float *scratch) {
  float *Q = scratch, *KT = Q + T * hd, *V = KT + T * hd;
  const int group = H / Hkv;
  for (int b = 0; b < B; b++) {
    const float *m = mask + (maskPerRow ? b * T * T : 0);
    for (int h = 0; h < H; h++) {
      const int kh = h / group;
      gather(Q, q + b * T * qs + h * hd, T, qs, hd, 0);
      gather(KT, k + b * T * kvs + kh * hd, T, kvs, hd, 1);
      gather(V, v + b * T * kvs + kh * hd, T, kvs, hd, 0);
      float *p = P + (b * H + h) * T * T;
      gemm_core(T, T, hd, Q, hd, 0, KT, T, p, T, 0, UPTO_ROW_N);
      for (int t = 0; t < T; t++) {
        float *row = p + t * T;
        const float *mr = m + t * T;
        float mx = -3.4e38f;
        for (int j = 0; j <= t; j++) {
          row[j] = row[j] * scale + mr[j];
          if (row[j] > mx) mx = row[j];
        }
        float sum = 0.f;
        for (int j = 0; j <= t; j++) {
          row[j] = exp_nonpositive(row[j] - mx);
          sum += row[j];
        }
        const float inv = 1.f / sum;
        for (int j = 0; j <= t; j++) row[j] *= inv;
        for (int j = t + 1; j < T; j++) row[j] = 0.f;
      }
      gemm_core(T, hd, T, p, T, 0, V, hd, y + b * T * ys + h * hd, ys, 0, UPTO_ROW_K);
    }
  }
}

static void scatter(float *dst, const float *src, int T, int stride, int hd, int add) {
  for (int t = 0; t < T; t++)
    for (int d = 0; d < hd; d++) {
      if (add) dst[t * stride + d] += src[t * hd + d];
      else dst[t * stride + d] = src[t * hd + d];
    }
}

// The backward of attention_forward from dy (row stride dys): writes dq (row stride qs) and adds into dk and
// dv (row stride kvs), which the caller zeroes first (heads of a GQA group add into the same key/value head).
// scratch: 4·T·hd + T·T floats.
EXPORT(attention_backward)
void attention_backward(int B, int T, int H, int Hkv, int hd, float scale, const float *q, int qs,
                        const float *k, const float *v, int kvs, const float *P, const float *dy, int dys,
                        float *dq, float *dk, float *dv, float *scratch) {
  float *Q = scratch, *K = Q + T * hd, *VT = K + T * hd, *dO = VT + T * hd, *tmp = dO + T * hd, *dS = tmp + T * hd;
  const int group = H / Hkv;
  for (int b = 0; b < B; b++) {
    for (int h = 0; h < H; h++) {
      const int kh = h / group;
      const int qo = b * T * qs + h * hd, ko = b * T * kvs + kh * hd;
      gather(Q, q + qo, T, qs, hd, 0);
      gather(K, k + ko, T, kvs, hd, 0);
      gather(VT, v + ko, T, kvs, hd, 1);
      gather(dO, dy + b * T * dys + h * hd, T, dys, hd, 0);
      const float *p = P + (b * H + h) * T * T;
      // dP = dO·Vᵀ, then the softmax backward dS = P∘(dP − Σⱼ dP∘P), with the scores' scale folded in.
      gemm_core(T, T, hd, dO, hd, 0, VT, T, dS, T, 0, UPTO_ROW_N);
      for (int t = 0; t < T; t++) {
        float *row = dS + t * T;
        const float *pr = p + t * T;
        float sum = 0.f;
        for (int j = 0; j <= t; j++) sum += row[j] * pr[j];
        for (int j = 0; j <= t; j++) row[j] = pr[j] * (row[j] - sum) * scale;
        for (int j = t + 1; j < T; j++) row[j] = 0.f;
      }
      gemm_core(T, hd, T, dS, T, 0, K, hd, tmp, hd, 0, UPTO_ROW_K);
      scatter(dq + qo, tmp, T, qs, hd, 0);
      gemm_core(T, hd, T, dS, T, 1, Q, hd, tmp, hd, 0, FROM_ROW_K);
      scatter(dk + ko, tmp, T, kvs, hd, 1);
      gemm_core(T, hd, T, p, T, 1, dO, hd, tmp, hd, 0, FROM_ROW_K);
      scatter(dv + ko, tmp, T, kvs, hd, 1);
    }
  }
}
