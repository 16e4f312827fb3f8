// Each hand-written backward in ops.ts against central finite differences of its forward.
// The projection Σ out·dy is summed in float64 so float32 rounding stays well below the tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '@tensorflow/tfjs-core';
import { loadBackend, type Tf } from '../../../src/trainer/backend/index';
import * as ops from '../../../src/trainer/engine/ops';
import { fillNormal } from '../../../src/trainer/engine/rng';
import { relativeError } from './helpers';

function randn(n: number, seed: number, std = 1): Float32Array {
  const a = new Float32Array(n);
  fillNormal(a, std, seed);
  return a;
}

/**
 * Numerical gradient of L(inputs) = Σ forward(inputs)·dy with respect to every element of each input
 * in `check`, compared with the analytic gradients.
 */
function gradCheck(
  tf: Tf,
  inputs: Array<{ data: Float32Array; shape: number[] }>,
  forward: (xs: Tensor[]) => Tensor,
  backward: (xs: Tensor[], dy: Tensor) => Tensor[],
  check: number[],
  eps = 1e-2,
): number[] {
  const outShape = tf.tidy(() => forward(inputs.map((x) => tf.tensor(x.data, x.shape))).shape);
  const dyData = randn(outShape.reduce((a, b) => a * b, 1), 99);
  const project = (): number => tf.tidy(() => {
    const out = forward(inputs.map((x) => tf.tensor(x.data, x.shape))).dataSync();
    let s = 0;
    for (let i = 0; i < out.length; i++) s += out[i] * dyData[i];
    return s;
  });
  const analytic = tf.tidy(() => backward(inputs.map((x) => tf.tensor(x.data, x.shape)), tf.tensor(dyData, outShape)).map((t) => Array.from(t.dataSync())));
  return check.map((k) => {
    const x = inputs[k].data;
    const numeric = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const keep = x[i];
      x[i] = keep + eps;
      const up = project();
      x[i] = keep - eps;
      const down = project();
      x[i] = keep;
      numeric[i] = (up - down) / (2 * eps);
    }
    return relativeError(analytic[k], numeric);
  });
}

test('op gradients match finite differences', async (t) => {
  const { tf } = await loadBackend();
  const N = 6, D = 8;

  await t.test('layerNorm', () => {
    const errs = gradCheck(tf, [
      { data: randn(N * D, 1), shape: [N, D] },
      { data: randn(D, 2, 0.5).map((v) => v + 1), shape: [D] },
      { data: randn(D, 3, 0.5), shape: [D] },
    ], ([x, g, b]) => ops.layerNorm(tf, x as never, g as never, b as never, 1e-5).y, ([x, g, b], dy) => {
      const f = ops.layerNorm(tf, x as never, g as never, b as never, 1e-5);
      const r = ops.layerNormBackward(tf, dy as never, f.cache, g as never);
      return [r.dx, r.dg, r.db];
    }, [0, 1, 2], 1e-3);
    for (const e of errs) assert.ok(e < 5e-4, `relative error ${e}`);
  });

  await t.test('linear', () => {
    const W = randn(D * 5, 5);
    const errs = gradCheck(tf, [
      { data: randn(N * D, 4), shape: [N, D] },
      { data: W, shape: [D, 5] },
      { data: randn(5, 6), shape: [5] },
    ], ([x, w, b]) => ops.linear(tf, x as never, w as never, b as never), ([x, w], dy) => {
      const r = ops.linearBackward(tf, x as never, dy as never, tf.transpose(w) as never);
      return [r.dx, r.dw, r.db];
    }, [0, 1, 2]);
    for (const e of errs) assert.ok(e < 5e-4, `relative error ${e}`);
  });

  await t.test('gelu', () => {
    const [e] = gradCheck(tf, [{ data: randn(N * D, 7, 2), shape: [N, D] }],
      ([x]) => ops.gelu(tf, x as never).y,
      ([x], dy) => [ops.geluBackward(tf, dy as never, ops.gelu(tf, x as never).cache)], [0], 1e-3);
    assert.ok(e < 5e-4, `relative error ${e}`);
  });

  await t.test('attention, causal and with a packing mask', () => {
    const B = 2, T = 5, H = 2, hd = 3;
    const shape = { batch: B, seq: T, heads: H, headDim: hd };
    // Row 0 causal only; row 1 two packed segments [0,0,1,1,1].
    const seg = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
    const m = new Float32Array(B * T * T);
    for (let r = 0; r < B; r++) for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) {
      if (j > i || seg[r * T + j] !== seg[r * T + i]) m[(r * T + i) * T + j] = -1e9;
    }
    const mask = tf.tensor4d(m, [B, 1, T, T]);
    const [e] = gradCheck(tf, [{ data: randn(B * T * 3 * H * hd, 8), shape: [B * T, 3 * H * hd] }],
      ([qkv]) => ops.attention(tf, qkv as never, mask, shape).y,
      ([qkv], dy) => [ops.attentionBackward(tf, dy as never, ops.attention(tf, qkv as never, mask, shape).cache, shape)], [0], 1e-3);
    mask.dispose();
    assert.ok(e < 5e-4, `relative error ${e}`);
  });

  await t.test('weighted cross-entropy', () => {
    const V = 7;
    const targets = tf.tensor1d(Int32Array.from([0, 3, 6, 2, 1, 5]), 'int32');
    const weights = tf.tensor1d(Float32Array.from([1, 0, 1, 0.5, 1, 0]));
    const [e] = gradCheck(tf, [{ data: randn(N * V, 9, 2), shape: [N, V] }],
      ([x]) => ops.crossEntropy(tf, x as never, targets, weights).lossSum,
      ([x], dy) => [tf.mul(ops.crossEntropy(tf, x as never, targets, weights).dlogits, dy)], [0], 1e-3);
    // The loss itself: −log softmax at the target, weighted.
    const logits = randn(N * V, 10);
    const lossSum = tf.tidy(() => ops.crossEntropy(tf, tf.tensor2d(logits, [N, V]), targets, weights).lossSum.dataSync()[0]);
    let expected = 0;
    const tg = [0, 3, 6, 2, 1, 5], w = [1, 0, 1, 0.5, 1, 0];
    for (let i = 0; i < N; i++) {
      const row = Array.from(logits.subarray(i * V, (i + 1) * V));
      const mx = Math.max(...row);
      const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
      expected += w[i] * (lse - row[tg[i]]);
    }
    tf.dispose([targets, weights]);
    assert.ok(e < 1e-3, `relative error ${e}`);
    assert.ok(Math.abs(lossSum - expected) < 1e-4 * Math.abs(expected), `${lossSum} vs ${expected}`);
  });
});
