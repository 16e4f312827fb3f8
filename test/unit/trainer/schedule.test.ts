import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRate } from '../../../src/trainer/schedule';

const s = { lr: 1e-3, minLr: 1e-4, warmupSteps: 4, totalSteps: 14 };
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('linear warmup rises to lr, cosine decays to minLr at the last step', () => {
  close(learningRate(0, s), 1e-3 / 5);
  close(learningRate(3, s), 4e-3 / 5);
  close(learningRate(4, s), 1e-3);
  // half way through the decay (steps 4..13): 4 + 4.5 → cos(pi/2) = 0 → midpoint
  close(learningRate(8.5, s), (1e-3 + 1e-4) / 2);
  close(learningRate(13, s), 1e-4);
  close(learningRate(50, s), 1e-4);
  for (let i = 5; i < 14; i++) assert.ok(learningRate(i, s) < learningRate(i - 1, s));
});

test('no warmup starts at lr; a one-step run uses lr', () => {
  close(learningRate(0, { ...s, warmupSteps: 0 }), 1e-3);
  close(learningRate(0, { ...s, totalSteps: 1 }), 1e-3);
});
