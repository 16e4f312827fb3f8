import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, resolveConfig, ConfigError, loraTargetList } from '../../../src/trainer/config';

test('overrides apply by name over the defaults', () => {
  const c = resolveConfig({ lr: 0.01, steps: 5, packing: false, taskWeights: { a: 2 } });
  assert.equal(c.lr, 0.01);
  assert.equal(c.steps, 5);
  assert.equal(c.packing, false);
  assert.deepEqual(c.taskWeights, { a: 2 });
  assert.equal(c.dModel, DEFAULT_CONFIG.dModel);
});

test('unknown names, wrong types and impossible values are errors', () => {
  assert.throws(() => resolveConfig({ learningRate: 1 }), (e: unknown) => e instanceof ConfigError && /unknown training setting "learningRate"/.test((e as Error).message));
  assert.throws(() => resolveConfig({ lr: 'fast' }), /must be a number/);
  assert.throws(() => resolveConfig({ batchSize: 0 }), /"batchSize" must be positive/);
  assert.throws(() => resolveConfig({ batchSize: 2.5 }), /whole number/);
  assert.throws(() => resolveConfig({ dModel: 100, nHeads: 3 }), /divisible/);
  assert.throws(() => resolveConfig({ steps: 0, epochs: 0, maxMinutes: 0 }), /how long/);
  assert.throws(() => resolveConfig({ taskWeights: { a: -1 } }), /task weight/);
});

test('LoRA settings: defaults, validation, and dropout refused with the reason', () => {
  const d = resolveConfig({});
  assert.deepEqual([d.lora, d.loraR, d.loraAlpha, d.loraDropout, d.loraTargets], [false, 8, 16, 0, '']);
  assert.equal(resolveConfig({ lora: true, loraR: 4, loraTargets: 'q_proj, v_proj' }).loraR, 4);
  assert.deepEqual(loraTargetList(' q_proj, v_proj ,'), ['q_proj', 'v_proj']);
  assert.throws(() => resolveConfig({ loraR: 2.5 }), /"loraR" must be a positive whole number/);
  assert.throws(() => resolveConfig({ loraAlpha: 0 }), /"loraAlpha" must be positive/);
  assert.throws(() => resolveConfig({ loraDropout: 0.05 }), /"loraDropout" must be 0, got 0.05: dropout on the LoRA input is not supported/);
  assert.throws(() => resolveConfig({ loraTargets: ' , ' }), /"loraTargets" must be a comma list/);
});
