import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBackend } from '../../../src/trainer/backend/index';
import { instantiateKernels, type KernelVariant } from '../../../src/trainer/kernels/index';
import { kernelMatMulActive, matMul } from '../../../src/trainer/kernels/tfjsMatMul';
import { uniform } from '../../../src/trainer/engine/rng';

function randoms(n: number, seed: number): Float32Array {
  const r = uniform(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

test('on the wasm backend the products run in our kernel, inside TensorFlow.js', async () => {
  const { tf } = await loadBackend();
  assert.equal(tf.getBackend(), 'wasm');
  assert.ok(kernelMatMulActive(tf));
});

for (const [M, K, N, withBias] of [[8, 16, 24, true], [13, 7, 11, false], [3, 5, 2, true], [64, 256, 96, true], [1, 1, 1, false]] as const) {
  test(`matMul [${M}, ${K}]·[${K}, ${N}]${withBias ? ' + bias' : ''} equals a float64 reference`, async () => {
    const { tf } = await loadBackend();
    const a = randoms(M * K, M);
    const b = randoms(K * N, N);
    const bias = randoms(N, K);
    const want = new Float64Array(M * N);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = withBias ? bias[j] : 0;
        for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
        want[i * N + j] = s;
      }
    }
    const before = tf.memory().numTensors;
    const got = tf.tidy(() => matMul(tf, tf.tensor2d(a, [M, K]), tf.tensor2d(b, [K, N]), withBias ? tf.tensor1d(bias) : undefined).dataSync());
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    let err = 0;
    for (let i = 0; i < M * N; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    assert.ok(err < 1e-5 * Math.sqrt(K), `differs by ${err}`);
  });
}

test('matMul refuses mismatched shapes', async () => {
  const { tf } = await loadBackend();
  assert.throws(() => tf.tidy(() => matMul(tf, tf.zeros([2, 3]) as never, tf.zeros([4, 2]) as never)), /do not match/);
  assert.throws(() => tf.tidy(() => matMul(tf, tf.zeros([2, 3]) as never, tf.zeros([3, 2]) as never, tf.zeros([3]) as never)), /do not match/);
});

for (const variant of ['relaxed', 'simd'] as KernelVariant[]) test(`the kernels (${variant}) write only their output and scratch: safe inside TensorFlow.js's memory`, () => {
  // Every byte outside C and the scratch area keeps its sentinel value after a product.
  const memory = new WebAssembly.Memory({ initial: 4 });
  const k = instantiateKernels(memory, variant);
  const bytes = new Uint8Array(memory.buffer);
  bytes.fill(0xa5);
  const [M, K, N] = [7, 9, 13];
  const f = new Float32Array(memory.buffer);
  const A = 1000, B = A + M * K, bias = B + K * N, C = bias + N + 3, scratch = C + M * N + 5;
  f.set(randoms(M * K, 1), A);
  f.set(randoms(K * N, 2), B);
  f.set(randoms(N, 3), bias);
  const snapshot = Uint8Array.from(bytes);
  k.gemm_nn(M, N, K, A * 4, K, B * 4, N, C * 4, N, bias * 4, scratch * 4);
  const scratchEnd = scratch + M * K + K * 8;
  for (let i = 0; i < bytes.length; i++) {
    const fl = i >> 2;
    if ((fl >= C && fl < C + M * N) || (fl >= scratch && fl < scratchEnd)) continue;
    if (bytes[i] !== snapshot[i]) assert.fail(`byte ${i} changed outside the output and scratch`);
  }
});
