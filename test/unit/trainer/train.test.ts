// The training loop in-process on the real engine with a very small model: loss falls, resume is exact, the run
// folder says what happened. INSTRUCT_STUDIO_BACKEND pins the backend so runs compare on the same one.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { REPLAN_AT, replannedSteps, speedMeasured, train, type TrainHooks } from '../../../src/trainer/train';
import { readMetrics, readRunInfo } from '../../../src/trainer/runFolder';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import { tokenizeExample, makeBatch, layoutRows } from '../../../src/trainer/data';
import type { ChildToParent, MetricsRow, TrainRequest } from '../../../src/shared/protocol/trainer';
import { testRenderer, tempDir, toyRecords, writeJsonl } from './helpers';

/** Small enough for a few steps per second on a busy 2-core machine. */
export const TINY = { dModel: 32, nLayers: 1, nHeads: 2, contextLength: 48, batchSize: 4, threads: 1, warmupSteps: 2, logEvery: 1, exactMatchSamples: 4, maxNewTokens: 8 };

function hooks(messages: ChildToParent[], stopAfterStep = Infinity): TrainHooks {
  let step = 0;
  return {
    emit: (m) => { messages.push(m); if (m.type === 'progress') step = m.step; },
    stopRequested: () => step >= stopAfterStep,
    createEngine: (o) => createEngine(o),
    renderer: testRenderer,
  };
}

function request(dir: string, overrides: TrainRequest['overrides']): TrainRequest {
  const data = writeJsonl(join(dir, 'train.jsonl'), toyRecords(40));
  const evalFile = writeJsonl(join(dir, 'eval.jsonl'), toyRecords(6, 5).map((r, i) => ({ ...r, unseen: i % 3 === 0 })));
  return { data, eval: evalFile, out: join(dir, 'run'), model: 'scratch', resume: true, skipInvalid: false, includeRejected: false, overrides: { ...TINY, ...overrides } };
}

const trainRows = (out: string) => readMetrics(out).filter((r): r is MetricsRow => !('split' in r));

test('a tiny run: loss falls, metrics/eval rows and the run folder are written', async (t) => {
  const dir = tempDir(t);
  const messages: ChildToParent[] = [];
  const req = request(dir, { steps: 25, lr: 1e-2, evalEvery: 0 });
  const outcome = await train(req, hooks(messages));
  assert.equal(outcome.status, 'finished');
  assert.equal(outcome.step, 25);
  const rows = trainRows(req.out);
  assert.equal(rows.length, 25);
  const first = rows.slice(0, 3).reduce((s, r) => s + r.loss, 0) / 3;
  const last = rows.slice(-3).reduce((s, r) => s + r.loss, 0) / 3;
  assert.ok(last < first * 0.6, `loss should fall: ${first.toFixed(3)} → ${last.toFixed(3)}`);
  for (const r of rows) for (const k of ['step', 'epoch', 'loss', 'lr', 'grad_norm', 'tokens_per_second', 'elapsed_s']) assert.equal(typeof (r as unknown as Record<string, unknown>)[k], 'number', k);
  assert.deepEqual(Object.keys(rows[0].per_task!).sort(), ['reverse', 'upper']);
  // per-task losses split the step loss: their weighted mean sits between them
  const pt = Object.values(rows[0].per_task!);
  assert.ok(rows[0].loss >= Math.min(...pt) - 1e-4 && rows[0].loss <= Math.max(...pt) + 1e-4);
  const evals = readMetrics(req.out).filter((r) => 'split' in r);
  assert.deepEqual(evals.map((r) => r.step), [0, 25], 'eval before training and at the end');
  assert.ok(evals[1].loss < evals[0].loss);
  assert.ok('seen' in evals[0] && 'unseen' in evals[0]);
  const run = readRunInfo(req.out)!;
  assert.equal(run.status, 'finished');
  assert.equal(run.step, 25);
  assert.equal(run.best_step, 25);
  assert.ok(run.backend && run.finished_at);
  assert.ok(existsSync(join(req.out, 'best', 'model.safetensors')));
  assert.equal(loadCheckpoint(join(req.out, 'checkpoint')).state!.step, 25);
  assert.ok(messages.some((m) => m.type === 'log' && /backend: wasm/.test(m.message)));
  // a finished run is never overwritten
  await assert.rejects(train(req, hooks([])), /holds a finished run/);
});

test('resume continues at the exact step: the loss curve equals the uninterrupted one', async (t) => {
  const overrides = { steps: 12, lr: 5e-3, evalEvery: 0, exactMatchSamples: 0, checkpointEvery: 1000 };
  const a = request(join(tempDir(t)), overrides);
  const b = request(join(tempDir(t)), overrides);
  await train(a, hooks([]));
  const stopped = await train(b, hooks([], 5));
  assert.equal(stopped.status, 'stopped');
  assert.equal(readRunInfo(b.out)!.status, 'stopped');
  assert.equal(loadCheckpoint(join(b.out, 'checkpoint')).state!.step, 5);
  const fresh = await train({ ...b, resume: false }, hooks([])).catch((e: Error) => e);
  assert.match(String(fresh), /already holds a run/);
  const resumed = await train(b, hooks([]));
  assert.equal(resumed.status, 'finished');
  const la = trainRows(a.out).map((r) => [r.step, r.loss, r.lr, r.grad_norm]);
  const lb = trainRows(b.out).map((r) => [r.step, r.loss, r.lr, r.grad_norm]);
  assert.equal(lb.length, 12);
  assert.deepEqual(lb, la);
  const wa = loadCheckpoint(join(a.out, 'checkpoint')).params;
  const wb = loadCheckpoint(join(b.out, 'checkpoint')).params;
  for (const name of Object.keys(wa)) assert.deepEqual(wb[name].data, wa[name].data, name);
});

test('early stopping stops when eval loss does not improve, keeping the best weights', async (t) => {
  // A learning rate this high makes eval loss worse after the first evaluation.
  const req = request(tempDir(t), { steps: 40, lr: 3, warmupSteps: 0, clipNorm: 0, evalEvery: 2, patience: 2, exactMatchSamples: 0 });
  const outcome = await train(req, hooks([]));
  assert.match(outcome.reason, /early stopping/);
  assert.ok(outcome.step < 40);
  const run = readRunInfo(req.out)!;
  const evals = readMetrics(req.out).filter((r) => 'split' in r);
  const best = Math.min(...evals.map((r) => r.loss));
  assert.equal(run.best_eval_loss, best);
  assert.equal(run.best_step, evals.find((r) => r.loss === best)!.step);
});

test('masked loss ignores prompt tokens: changing them leaves the loss, changing the response does not', async () => {
  const tok = new ByteTokenizer();
  const engine = await createEngine({ config: { vocabSize: tok.vocabSize, contextLength: 48, dModel: 32, nLayers: 1, nHeads: 2 }, seed: 3, threads: 1 });
  try {
    const lossOf = async (rec: Record<string, unknown>) => {
      const { example } = tokenizeExample(testRenderer.render(rec), tok, 49);
      const batch = makeBatch(layoutRows([example], 48, false).rows, 48, tok.padId);
      // same tokens as inputs, but the targets of prompt positions replaced: masked, so no effect
      const r = await engine.evalLoss(batch);
      const scrambled = { ...batch, targets: batch.targets.map((x, i) => (batch.weights[i] ? x : (x + 17) % 256)) };
      const s = await engine.evalLoss(scrambled);
      return { r, s };
    };
    const { r, s } = await lossOf({ instruction: 'Reverse.', input: 'cat', output: 'tac' });
    assert.equal(s.lossSum, r.lossSum);
    assert.equal(r.tokens, 4, 'three response bytes and EOS');
    const other = await lossOf({ instruction: 'Reverse.', input: 'cat', output: 'tax' });
    assert.notEqual(other.r.lossSum, r.lossSum);
  } finally {
    await engine.dispose();
  }
});

test('resuming from a corrupt checkpoint fails naming the file and leaves the checkpoint as it was', async (t) => {
  const req = request(tempDir(t), { steps: 10, evalEvery: 0, exactMatchSamples: 0 });
  await train(req, hooks([], 2));
  const model = join(req.out, 'checkpoint', 'model.safetensors');
  const bytes = readFileSync(model);
  writeFileSync(model, bytes.subarray(0, bytes.length - 100));
  await assert.rejects(train(req, hooks([])), (e: Error) => e.message.includes(model) && /past the end|truncated/.test(e.message));
  assert.equal(readFileSync(model).length, bytes.length - 100, 'the checkpoint is not touched');
  assert.equal(readRunInfo(req.out)!.status, 'stopped');
});

test('a time budget without a step count stops at the limit with status finished', async (t) => {
  const req = request(tempDir(t), { steps: 0, epochs: 0, maxMinutes: 0.03, evalEvery: 0, exactMatchSamples: 0 });
  // A fake clock (every reading advances 50 ms) makes the budget independent of the machine's load.
  let clock = 0;
  const outcome = await train(req, { ...hooks([]), now: () => (clock += 0.05) });
  assert.equal(outcome.status, 'finished');
  assert.match(outcome.reason, /time limit of 0\.03 min reached/);
  assert.ok(outcome.step >= 1);
  assert.equal(readRunInfo(req.out)!.total_steps, 0, 'stopped before the speed was measured');
  assert.equal(readRunInfo(req.out)!.status, 'finished');
});

test('a time budget is planned from at least 10 steps and 5% of the budget (at most 20 s) of measured speed', () => {
  assert.equal(speedMeasured(9, 100, 300), false, 'too few steps');
  assert.equal(speedMeasured(10, 14.9, 300), false, 'under 5% of a 5-minute budget');
  assert.equal(speedMeasured(10, 15, 300), true);
  assert.equal(speedMeasured(40, 19.9, 3600), false, 'an hour: 20 s cap');
  assert.equal(speedMeasured(40, 20, 3600), true);
  assert.equal(speedMeasured(10, 0.31, 6), true, 'short budgets: 10 steps are enough once 5% has passed');
});

test('a time budget is re-sized at a quarter, half and three quarters of it to the speed since the last plan, when that is over 2% off', () => {
  assert.deepEqual(REPLAN_AT, [0.25, 0.5, 0.75]);
  // 1000 steps planned; at step 300 with 200 s left at 0.1 s/step the run can do 2000 more.
  assert.equal(replannedSteps(300, 1000, 0.1, 200), 2300);
  assert.equal(replannedSteps(300, 1000, 0.1, 70), 1000, '1% off: the plan stands');
  assert.equal(replannedSteps(300, 1000, 1, 10), 310, 'slower: fewer steps, so the schedule still ends at its minimum');
  assert.equal(replannedSteps(300, 1000, 1, 0), 301);
});

test('a run that gets faster after its first measurement uses its whole budget, the schedule still ending at minLr', async (t) => {
  const req = request(tempDir(t), { steps: 0, epochs: 0, maxMinutes: 0.1, evalEvery: 0, exactMatchSamples: 0 });
  // Every clock reading advances 50 ms until the first plan, then 20 ms: steps are 2.5x faster than measured.
  let clock = 0;
  let fast = false;
  const messages: ChildToParent[] = [];
  const hooked = hooks(messages);
  const outcome = await train(req, {
    ...hooked,
    emit: (m) => {
      if (m.type === 'log' && /planning \d+ steps/.test(m.message)) fast = true;
      hooked.emit(m);
    },
    now: () => (clock += fast ? 0.02 : 0.05),
  });
  const planLog = messages.find((m): m is Extract<ChildToParent, { type: 'log' }> => m.type === 'log' && /planning \d+ steps/.test(m.message));
  const first = Number(/planning (\d+) steps/.exec(planLog!.message)![1]);
  const final = readRunInfo(req.out)!.total_steps;
  assert.ok(final > first, `re-planned ${first} -> ${final}`);
  // Without the re-plan the run would have stopped at its first plan, ~2 s into its 6-second budget.
  assert.ok(clock >= 0.9 * 6, `used ${clock.toFixed(2)} s of 6`);
  assert.ok(messages.some((m) => m.type === 'log' && / steps instead of \d+ for the budget/.test(m.message)));
  assert.equal(outcome.step, final);
  assert.equal(outcome.reason, 'completed all steps');
  assert.ok(Math.abs(trainRows(req.out).at(-1)!.lr - 2e-4) < 1e-12, 'the schedule decayed to minLr at the re-planned end');
});

test('a time budget long enough to measure the speed fixes the schedule length to fit it', async (t) => {
  const req = request(tempDir(t), { steps: 0, epochs: 0, maxMinutes: 0.1, evalEvery: 0, exactMatchSamples: 0 });
  let clock = 0;
  const messages: ChildToParent[] = [];
  const outcome = await train(req, { ...hooks(messages), now: () => (clock += 0.05) });
  const planned = readRunInfo(req.out)!.total_steps;
  assert.ok(planned > 11, `planned ${planned}`);
  assert.ok(messages.some((m) => m.type === 'log' && new RegExp(`(planning ${planned} steps|${planned} steps instead of)`).test(m.message)));
  // the cosine schedule reached its end: the last logged lr is minLr
  const rows = trainRows(req.out);
  assert.equal(outcome.step, planned);
  assert.equal(outcome.reason, 'completed all steps');
  assert.ok(Math.abs(rows.at(-1)!.lr - 2e-4) < 1e-12, 'the schedule decayed to minLr at the planned end');
  assert.equal(readRunInfo(req.out)!.status, 'finished');
});
