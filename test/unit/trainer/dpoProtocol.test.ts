// The DPO additions to the trainer protocol and config: the stage, TRL-named metrics and eval reward fields are
// validated on receipt; DPO settings are checked by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChildMessage, parseParentMessage } from '../../../src/shared/protocol/trainer';
import { resolveConfig } from '../../../src/trainer/config';
import { parseRunConfig } from '../../../src/core/runs/runConfig';

const request = { data: '/d.jsonl', out: '/o', model: 'tiny', resume: false, skipInvalid: false, includeRejected: false, overrides: {} };
const row = { step: 1, epoch: 0.1, loss: 0.69, lr: 1e-3, grad_norm: 0.5, tokens_per_second: 100, elapsed_s: 1 };

test('stage: absent, sft, dpo or pretrain; anything else is refused naming the request', () => {
  for (const stage of [undefined, 'sft', 'dpo', 'pretrain']) {
    assert.equal(parseParentMessage({ type: 'start', request: { ...request, stage } }).type, 'start');
  }
  assert.throws(() => parseParentMessage({ type: 'start', request: { ...request, stage: 'rlhf' } }), /"start" message has a missing or malformed field "request"/);
});

test('metrics rows carry the TRL-named DPO fields as numbers; eval rows reward accuracy and margin', () => {
  const dpo = { 'rewards/chosen': 0.1, 'rewards/rejected': -0.1, 'rewards/accuracies': 0.75, 'rewards/margins': 0.2, 'logps/chosen': -12, 'logps/rejected': -15 };
  const m = parseChildMessage({ type: 'metrics', row: { ...row, ...dpo } });
  assert.deepEqual(m, { type: 'metrics', row: { ...row, ...dpo } });
  for (const k of Object.keys(dpo)) {
    assert.throws(() => parseChildMessage({ type: 'metrics', row: { ...row, ...dpo, [k]: 'high' } }), /field "row"/, k);
  }
  const evalRow = { split: 'eval', step: 10, epoch: 1, elapsed_s: 3, loss: 0.5, exact_match: null, reward_accuracy: 0.8, reward_margin: 0.3 };
  assert.equal(parseChildMessage({ type: 'eval', row: evalRow, samples: [] }).type, 'eval');
  assert.throws(() => parseChildMessage({ type: 'eval', row: { ...evalRow, reward_accuracy: '80%' }, samples: [] }), /field "row"/);
});

test('DPO settings: beta 0.1, sigmoid, no smoothing by default; bad values are named', () => {
  const cfg = resolveConfig({});
  assert.deepEqual([cfg.dpoBeta, cfg.dpoLoss, cfg.dpoLabelSmoothing], [0.1, 'sigmoid', 0]);
  assert.equal(resolveConfig({ dpoLoss: 'ipo', dpoBeta: 0.5 }).dpoLoss, 'ipo');
  assert.throws(() => resolveConfig({ dpoBeta: 0 }), /dpoBeta must be positive/);
  assert.throws(() => resolveConfig({ dpoLoss: 'hinge' }), /dpoLoss must be "sigmoid" or "ipo"/);
  assert.throws(() => resolveConfig({ dpoLabelSmoothing: 0.5 }), /dpoLabelSmoothing must be in \[0, 0\.5\)/);
  assert.throws(() => resolveConfig({ dpoLoss: 'ipo', dpoLabelSmoothing: 0.1 }), /sigmoid loss only/);
});

test('a run config writes DPO settings under training; dpoLoss is the one word-valued setting', () => {
  const c = parseRunConfig(JSON.stringify({ data: 'p.jsonl', out: 'r', stage: 'dpo', training: { dpoBeta: 0.2, dpoLoss: 'ipo' } }), '/w/a.instruct.json');
  assert.equal(c.stage, 'dpo');
  assert.deepEqual(c.training, { dpoBeta: 0.2, dpoLoss: 'ipo' });
  assert.throws(() => parseRunConfig(JSON.stringify({ data: 'p.jsonl', out: 'r', training: { dpoLoss: 1 } }), '/w/a.instruct.json'), /"training.dpoLoss" must be a string/);
  assert.throws(() => parseRunConfig(JSON.stringify({ data: 'p.jsonl', out: 'r', training: { dpoBeta: 'high' } }), '/w/a.instruct.json'), /"training.dpoBeta" must be a number/);
});
