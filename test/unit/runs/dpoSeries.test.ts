import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMetricsChunk } from '../../../src/core/runs/metrics';
import { extractSeries } from '../../../src/core/runs/series';
import { DPO_PANELS, isDpoRow } from '../../../src/core/runs/dpoSeries';

// A DPO run's metrics.jsonl as the trainer writes it: TRL-named statistics on train rows, reward_accuracy on eval rows.
const text = [
  { step: 1, epoch: 0, loss: 0.693, lr: 1e-4, grad_norm: 1, tokens_per_second: 100, elapsed_s: 1, 'rewards/chosen': 0.01, 'rewards/rejected': -0.01, 'rewards/margins': 0.02, 'rewards/accuracies': 0.5, 'logps/chosen': -40, 'logps/rejected': -42 },
  { step: 2, epoch: 0, loss: 0.61, lr: 1e-4, grad_norm: 1, tokens_per_second: 100, elapsed_s: 2, 'rewards/chosen': 0.1, 'rewards/rejected': -0.2, 'rewards/margins': 0.3, 'rewards/accuracies': 0.75 },
  { split: 'eval', step: 2, elapsed_s: 2, loss: 0.65, reward_accuracy: 0.7, reward_margin: 0.25 },
  { step: 3, epoch: 0, loss: 0.5, lr: 1e-4, grad_norm: 1, tokens_per_second: 100, elapsed_s: 3, 'rewards/chosen': 0.3, 'rewards/rejected': -0.4, 'rewards/margins': 0.7, 'rewards/accuracies': 1 },
].map((r) => JSON.stringify(r)).join('\n') + '\n';

test('rows with TRL-named DPO statistics (train) or reward_accuracy (eval) are DPO rows; SFT rows are not', () => {
  const { rows } = parseMetricsChunk(text);
  assert.deepEqual(rows.map(isDpoRow), [true, true, true, true]);
  assert.equal(isDpoRow({ step: 1, loss: 2, lr: 1 }), false);
  assert.equal(isDpoRow({ split: 'eval', step: 1, loss: 2, exact_match: 0.5 }), false);
  // A train row's reward_accuracy or an eval row's rewards/* are not what the trainer writes: not taken as DPO.
  assert.equal(isDpoRow({ step: 1, reward_accuracy: 0.5 }), false);
  assert.equal(isDpoRow({ step: 1, 'rewards/margins': null }), false);
});

test('every DPO chart line extracts its own split and field, in step order', () => {
  const { rows } = parseMetricsChunk(text);
  const got = Object.fromEntries(DPO_PANELS.flatMap((p) => p.lines).map((l) => [`${l.split}:${l.field}`, extractSeries(rows, l.field, l.split, 'step')]));
  assert.deepEqual(got, {
    'train:rewards/chosen': { x: [1, 2, 3], y: [0.01, 0.1, 0.3] },
    'train:rewards/rejected': { x: [1, 2, 3], y: [-0.01, -0.2, -0.4] },
    'train:rewards/margins': { x: [1, 2, 3], y: [0.02, 0.3, 0.7] },
    'train:rewards/accuracies': { x: [1, 2, 3], y: [0.5, 0.75, 1] },
    'eval:reward_accuracy': { x: [2], y: [0.7] },
  });
  // On the time axis the same points sit at elapsed seconds.
  assert.deepEqual(extractSeries(rows, 'reward_accuracy', 'eval', 'time'), { x: [2], y: [0.7] });
});

test('the accuracy panel is a fixed percent axis; the reward panel fits its data', () => {
  const acc = DPO_PANELS.find((p) => p.lines.some((l) => l.field === 'rewards/accuracies'))!;
  assert.equal(acc.percent, true);
  assert.ok(acc.lines.some((l) => l.field === 'reward_accuracy' && l.split === 'eval'));
  const rewards = DPO_PANELS.find((p) => p.lines.some((l) => l.field === 'rewards/chosen'))!;
  assert.equal(rewards.percent, undefined);
});
