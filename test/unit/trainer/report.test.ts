import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beforeAfterTable, formatDuration, progressBar } from '../../../src/trainer/report';
import type { EvalRow } from '../../../src/shared/protocol/trainer';

test('the progress bar shows steps, loss, tokens/s and ETA', () => {
  const line = progressBar({ type: 'progress', step: 50, totalSteps: 200, loss: 1.23456, tokensPerSecond: 1234.4, etaSeconds: 130, elapsedSeconds: 40 }, 8);
  assert.equal(line, '[##------] step 50/200  loss 1.2346  1,234 tok/s  ETA 2m10s');
  assert.match(progressBar({ type: 'progress', step: 3, totalSteps: 0, loss: 2, tokensPerSecond: 5, etaSeconds: null, elapsedSeconds: 1 }), /step 3\/\?.*ETA \?/);
  assert.deepEqual([formatDuration(5), formatDuration(65), formatDuration(3725)], ['5s', '1m05s', '1h02m']);
});

test('the before/after table lists every task, seen/unseen and the total', () => {
  const row = (em: number, loss: number): EvalRow => ({
    split: 'eval', step: 0, epoch: 0, elapsed_s: 0, loss, exact_match: em,
    per_task: { add: { n: 10, exact_match: em, loss }, sort: { n: 10, exact_match: em / 2, loss } },
    seen: { n: 15, exact_match: em, loss }, unseen: { n: 5, exact_match: 0, loss },
  });
  const table = beforeAfterTable(row(0, 5.5), row(0.5, 1.25)).split('\n');
  assert.match(table.find((l) => l.startsWith('add'))!, /0\.0%\s+50\.0%\s+5\.500\s+1\.250/);
  assert.match(table.find((l) => l.startsWith('sort'))!, /0\.0%\s+25\.0%/);
  assert.match(table.find((l) => l.startsWith('unseen instructions'))!, /0\.0%\s+0\.0%/);
  assert.match(table.at(-1)!, /^all\s+0\.0%\s+50\.0%/);
});
