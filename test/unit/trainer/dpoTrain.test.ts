// The DPO stage end to end on a very small model: rewards separate on the training pairs, resume is exact, a run
// starts from an SFT checkpoint (whose weights are the reference), and bad preference data fails naming file and line.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import { defaultRenderer } from '../../../src/core/template';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { train, type TrainHooks } from '../../../src/trainer/train';
import { readMetrics, readRunInfo } from '../../../src/trainer/runFolder';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import { loadPreferencePairs } from '../../../src/trainer/dpo/data';
import { pairLogps, REFERENCE_FILE } from '../../../src/trainer/dpo/logps';
import { main } from '../../../src/cli/main';
import type { ChildToParent, EvalRow, MetricsRow, TrainRequest } from '../../../src/shared/protocol/trainer';
import { tempDir, toyRecords, writeJsonl } from './helpers';

const TINY = { dModel: 32, nLayers: 1, nHeads: 2, contextLength: 48, batchSize: 4, threads: 1, warmupSteps: 2, logEvery: 1, exactMatchSamples: 0, maxNewTokens: 8 };

/** Reverse a word: chosen is the reversal, rejected the word unchanged. Half as strings, half as chat messages. */
function preferences(n: number): Array<Record<string, unknown>> {
  const words = ['cat', 'dog', 'sun', 'map', 'red', 'box', 'pen', 'cup'];
  return Array.from({ length: n }, (_, i) => {
    const w = words[i % words.length];
    const rev = [...w].reverse().join('');
    return i % 2 === 0
      ? { prompt: `Reverse: ${w}\n`, chosen: rev, rejected: w }
      : { prompt: [{ role: 'user', content: `Reverse: ${w}` }], chosen: [{ role: 'assistant', content: rev }], rejected: [{ role: 'assistant', content: w }] };
  });
}

function hooks(messages: ChildToParent[], stopAfterStep = Infinity): TrainHooks {
  let step = 0;
  return {
    emit: (m) => { messages.push(m); if (m.type === 'progress') step = m.step; },
    stopRequested: () => step >= stopAfterStep,
    createEngine: (o) => createEngine(o),
    renderer: defaultRenderer(),
  };
}

function request(dir: string, overrides: TrainRequest['overrides'], data = writeJsonl(join(dir, 'prefs.jsonl'), preferences(8))): TrainRequest {
  // Evaluated on its own training pairs: the test asks whether DPO separates the pairs it was trained on.
  return { stage: 'dpo', data, eval: data, out: join(dir, 'run'), model: 'tiny', resume: true, skipInvalid: false, includeRejected: false, overrides: { ...TINY, ...overrides } };
}

const trainRows = (out: string) => readMetrics(out).filter((r): r is MetricsRow => !('split' in r));
const evalRows = (out: string) => readMetrics(out).filter((r): r is EvalRow => 'split' in r);

test('a tiny DPO run raises reward accuracy and margins on its training pairs, logging TRL-named metrics', async (t) => {
  const dir = tempDir(t);
  const messages: ChildToParent[] = [];
  const req = request(dir, { steps: 20, lr: 5e-3, evalEvery: 0 });
  const outcome = await train(req, hooks(messages));
  assert.equal(outcome.status, 'finished');
  assert.equal(outcome.step, 20);
  const rows = trainRows(req.out);
  assert.equal(rows.length, 20);
  for (const r of rows) {
    for (const k of ['rewards/chosen', 'rewards/rejected', 'rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected'] as const) assert.equal(typeof r[k], 'number', k);
  }
  // Step 1 starts at the reference: every reward is 0 and the loss is log 2.
  assert.ok(Math.abs(rows[0].loss - Math.LN2) < 1e-5, `first loss ${rows[0].loss}`);
  assert.equal(rows[0]['rewards/margins'], 0);
  const [before, after] = evalRows(req.out);
  assert.deepEqual([before.step, after.step], [0, 20]);
  assert.equal(before.reward_accuracy, 0);
  assert.ok(Math.abs(before.loss - Math.LN2) < 1e-5);
  assert.ok(after.reward_accuracy! >= 0.75, `reward accuracy ${after.reward_accuracy}`);
  assert.ok(after.reward_margin! > 0.05, `margin ${after.reward_margin}`);
  assert.ok(after.loss < before.loss, `eval DPO loss ${before.loss} → ${after.loss}`);
  assert.ok(rows.at(-1)!['rewards/margins']! > 0);
  const run = readRunInfo(req.out)!;
  assert.equal(run.stage, 'dpo');
  assert.equal(run.status, 'finished');
  assert.equal(run.best_step, 20);
  assert.ok(messages.some((m) => m.type === 'log' && /8 training preference pairs, 8 eval; DPO sigmoid loss, beta 0.1/.test(m.message)));
  // The reference log-probabilities were saved for all pairs, and are the starting model's (the step-0 policy).
  const ref = JSON.parse(readFileSync(join(req.out, REFERENCE_FILE), 'utf8'));
  assert.equal(ref.train.chosen.length, 8);
  assert.ok(ref.train.chosen.every((x: number) => x < 0));
});

test('resume continues at the exact step: the DPO curve equals the uninterrupted one', async (t) => {
  const overrides = { steps: 8, lr: 5e-3, evalEvery: 0, checkpointEvery: 1000, dpoLoss: 'ipo' };
  const a = request(tempDir(t), overrides);
  const b = request(tempDir(t), overrides);
  await train(a, hooks([]));
  const stopped = await train(b, hooks([], 3));
  assert.equal(stopped.status, 'stopped');
  assert.equal(loadCheckpoint(join(b.out, 'checkpoint')).state!.step, 3);
  const asSft = await train({ ...b, stage: undefined }, hooks([])).catch((e: Error) => e);
  assert.match(String(asSft), /holds a dpo run; resume it with --stage dpo/);
  const resumed = await train(b, hooks([]));
  assert.equal(resumed.status, 'finished');
  assert.equal(resumed.step, 8);
  const pick = (r: MetricsRow) => [r.step, r.loss, r.grad_norm, r['rewards/margins'], r['logps/chosen']];
  assert.deepEqual(trainRows(b.out).map(pick), trainRows(a.out).map(pick));
  const wa = loadCheckpoint(join(a.out, 'checkpoint')).params;
  const wb = loadCheckpoint(join(b.out, 'checkpoint')).params;
  for (const name of Object.keys(wa)) assert.deepEqual(wb[name].data, wa[name].data, name);
});

test('a DPO run starts from an SFT run: its weights are the reference', async (t) => {
  const dir = tempDir(t);
  const sftData = writeJsonl(join(dir, 'sft.jsonl'), toyRecords(8));
  const sft: TrainRequest = { data: sftData, out: join(dir, 'sft'), model: 'tiny', resume: true, skipInvalid: false, includeRejected: false, overrides: { ...TINY, contextLength: 128, steps: 3, evalEvery: 0, evalFraction: 0 } };
  await train(sft, hooks([]));
  const req = { ...request(dir, { steps: 1, evalEvery: 0 }), model: sft.out };
  await train(req, hooks([]));
  const ck = loadCheckpoint(join(sft.out, 'checkpoint'), { withOptimizer: false });
  const engine = await createEngine({ config: ck.model, seed: 0, params: ck.params, threads: 1 });
  try {
    const { pairs } = await loadPreferencePairs(req.data, new ByteTokenizer(), defaultRenderer(), { skipInvalid: false, includeRejected: false, maxTokens: 49 });
    const expected = await pairLogps(engine, pairs, 48, new ByteTokenizer().padId, 4);
    const saved = JSON.parse(readFileSync(join(req.out, REFERENCE_FILE), 'utf8'));
    for (let i = 0; i < pairs.length; i++) {
      assert.ok(Math.abs(saved.train.chosen[i] - expected.chosen[i]) < 1e-4, `pair ${i}: ${saved.train.chosen[i]} vs ${expected.chosen[i]}`);
      assert.ok(Math.abs(saved.train.rejected[i] - expected.rejected[i]) < 1e-4);
    }
  } finally {
    await engine.dispose();
  }
});

test('bad preference data fails naming the file, line and field; rankings become pairs', async (t) => {
  const dir = tempDir(t);
  const missing = writeJsonl(join(dir, 'missing.jsonl'), [preferences(1)[0], { prompt: 'Reverse: cat\n', chosen: 'tac' }]);
  await assert.rejects(train(request(dir, { steps: 1 }, missing), hooks([])), (e: Error) => /missing\.jsonl:2:\d+: missing required field "rejected"/.test(e.message));
  const wrongType = writeJsonl(join(dir, 'type.jsonl'), [preferences(1)[0], { prompt: 'Reverse: cat\n', chosen: 'tac', rejected: 7 }]);
  await assert.rejects(train(request(dir, { steps: 1 }, wrongType), hooks([])), (e: Error) => /type\.jsonl:2:\d+: .*rejected/.test(e.message));
  const sft = writeJsonl(join(dir, 'sft.jsonl'), toyRecords(2));
  await assert.rejects(train(request(dir, { steps: 1 }, sft), hooks([])), (e: Error) => /sft\.jsonl:1: DPO trains on preference records .* alpaca format/.test(e.message));
  const ranked = writeJsonl(join(dir, 'ranked.jsonl'), [
    { prompt: 'Reverse: cat\n', responses: ['cat', 'tac', 'act'], ranking: [1, 2, 0] },
    { prompt: 'Reverse: dog\n', responses: ['god', 'dog'] },
  ]);
  const loaded = await loadPreferencePairs(ranked, new ByteTokenizer(), defaultRenderer(), { skipInvalid: false, includeRejected: false, maxTokens: 49 });
  assert.equal(loaded.pairs.length, 3, 'a ranking of three gives three (better, worse) pairs');
  assert.equal(loaded.unranked, 1);
  const text = (ids: Int32Array) => new ByteTokenizer().decode([...ids]);
  assert.deepEqual(loaded.pairs.map((p) => [text(p.chosen.ids).endsWith('tac<|eos|>'), text(p.rejected.ids).endsWith('act<|eos|>')]), [[true, true], [true, false], [false, false]]);
});

test('instruct-studio train --stage dpo trains on preference pairs; DPO flags need the stage', async (t) => {
  const dir = tempDir(t);
  writeJsonl(join(dir, 'prefs.jsonl'), preferences(6));
  let stdout = '';
  let stderr = '';
  const io = { stdout: (s: string) => { stdout += s; }, stderr: (s: string) => { stderr += s; }, isTTY: false, cwd: dir };
  assert.equal(await main(['train', '--data', 'prefs.jsonl', '--out', 'x', '--beta', '0.2'], io), 2);
  assert.match(stderr, /--beta applies to --stage dpo only/);
  const fast = ['--steps', '2', '--batch', '2', '--context', '48', '--d-model', '16', '--layers', '1', '--heads', '2', '--eval-every', '0', '--beta', '0.2', '--label-smoothing', '0.1'];
  const code = await main(['train', '--stage', 'dpo', '--data', 'prefs.jsonl', '--out', 'o', ...fast], io);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^step 2\/2 {2}loss \d\.\d{4} {2}reward acc /m);
  assert.match(stdout, /eval at step 2: loss .* reward accuracy/);
  const run = readRunInfo(join(dir, 'o'))!;
  assert.equal(run.stage, 'dpo');
  assert.equal(run.config.dpoBeta, 0.2);
  assert.equal(run.config.dpoLabelSmoothing, 0.1);
});
