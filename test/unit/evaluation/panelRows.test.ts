// What the evaluation panel and the loss chart print for fractions: percentages, changes in percentage points, the
// preference table tuned vs base, and the win rate with its counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preferenceRows, preferenceSummary, winRateText } from '../../../webview/evaluation/preferenceRows';
import { pct, signed, signedInterval, signedPercent } from '../../../webview/evaluation/dom';
import { percent, percentTicks } from '../../../webview/shared/percent';
import { samplePreferenceReport } from './fixtures';

test('preference rows: reward accuracy in percent with its change in points, the rest as numbers, judged better or worse', () => {
  const rows = preferenceRows(samplePreferenceReport());
  assert.deepEqual(rows.map((r) => r.label), ['Reward accuracy', 'Reward margin (chosen − rejected)', 'Reward of chosen', 'Reward of rejected', 'DPO loss']);
  assert.deepEqual(rows[0], { label: 'Reward accuracy', tuned: '75.0%', base: '0.0%', change: '+75.0 pp', better: true });
  assert.deepEqual(rows[1], { label: 'Reward margin (chosen − rejected)', tuned: '0.1250', base: '0.0000', change: '+0.1250', better: true });
  // A rejected response's reward going down is the point of DPO; a lower loss is better.
  assert.equal(rows[3].better, true);
  assert.deepEqual(rows[4], { label: 'DPO loss', tuned: '0.6321', base: '0.6931', change: '-0.0610', better: true });
  const worse = preferenceRows({ ...samplePreferenceReport(), dpo_loss: 0.9, reward_accuracy: 0 });
  assert.equal(worse[4].better, false);
  assert.equal(worse[0].better, null, 'no change is neither better nor worse');
  assert.match(preferenceSummary(samplePreferenceReport()), /^DPO beta 0\.1, sigmoid loss/);
});

test('win rate text carries the counts behind the rate', () => {
  assert.equal(winRateText({ n: 8, wins: 4, losses: 2, ties: 2, win_rate: 0.625 }), '62.5% (4 won, 2 lost, 2 tied of 8; ties count half)');
});

test('fractions read as percent everywhere; changes of fractions in points, relative changes in percent', () => {
  assert.equal(pct(0.425), '42.5%');
  assert.equal(pct(null), 'n/a');
  assert.equal(signed(0.125, true), '+12.5 pp');
  assert.equal(signed(-0.05, true), '-5.0 pp');
  assert.equal(signed(-0.05, false), '-0.050');
  assert.equal(signedPercent(0.12), '+12.0%');
  assert.equal(signedInterval(-0.75, 0.5, true), '[-75.0, +50.0]');
  assert.equal(signedInterval(-1, 0.25, false), '[-1.000, +0.250]');
  assert.equal(percent(1, 0), '100%');
});

test('percent axis ticks: 0–1 reads 0% … 100%; a zoomed-in axis gets the decimals its spacing needs', () => {
  assert.deepEqual(percentTicks([0, 0.2, 0.4, 0.6, 0.8, 1]), ['0%', '20%', '40%', '60%', '80%', '100%']);
  assert.deepEqual(percentTicks([0.4, 0.41, 0.42]), ['40%', '41%', '42%']);
  assert.deepEqual(percentTicks([0.4, 0.405, 0.41]), ['40.0%', '40.5%', '41.0%']);
  assert.deepEqual(percentTicks([0.5]), ['50%']);
});
