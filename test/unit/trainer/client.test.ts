// The trainer as a child process, through the same client the CLI and the extension use: cancel by message and
// by SIGTERM saves a checkpoint and ends `stopped`; a SIGKILLed child leaves the parent healthy and the run failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { startTrainer, type TrainerProcessOptions } from '../../../src/trainer/client';
import { readRunInfo } from '../../../src/trainer/runFolder';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import type { ChildToParent, TrainRequest } from '../../../src/shared/protocol/trainer';
import { tempDir, toyRecords, writeJsonl } from './helpers';

const child: TrainerProcessOptions = {
  trainerPath: resolve(__dirname, '../../../src/trainer/main.ts'),
  execArgv: ['--import', 'tsx'],
  // node --test marks its own children with NODE_TEST_CONTEXT; the trainer child is not a test file.
  env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), INSTRUCT_STUDIO_BACKEND: 'wasm' },
};

function request(dir: string): TrainRequest {
  const data = writeJsonl(join(dir, 'train.jsonl'), toyRecords(40));
  return {
    data, out: join(dir, 'run'), model: 'scratch', resume: true, skipInvalid: false, includeRejected: false,
    overrides: { dModel: 16, nLayers: 1, nHeads: 2, contextLength: 96, batchSize: 2, threads: 1, steps: 100000, evalEvery: 0, exactMatchSamples: 0, checkpointEvery: 2, evalFraction: 0 },
  };
}

/** Starts a run and resolves once it has made `steps` optimizer steps. */
function startAndWait(req: TrainRequest, steps: number) {
  const messages: ChildToParent[] = [];
  let reached!: () => void;
  const atStep = new Promise<void>((r) => { reached = r; });
  const run = startTrainer(req, (m) => {
    messages.push(m);
    if (m.type === 'progress' && m.step >= steps) reached();
  }, child);
  // A run that ends before reaching the step fails the test with its reason instead of hanging.
  const reachedOrEnded = Promise.race([atStep, run.done.then((r) => { throw new Error(`the run ended early: ${JSON.stringify(r)}`); })]);
  return { run, messages, atStep: reachedOrEnded };
}

test('a cancel message checkpoints and ends the run as stopped', async (t) => {
  const req = request(tempDir(t));
  const { run, messages, atStep } = startAndWait(req, 3);
  await atStep;
  run.cancel();
  const result = await run.done;
  assert.equal(result.status, 'stopped');
  assert.ok(messages.some((m) => m.type === 'done' && m.status === 'stopped'));
  const info = readRunInfo(req.out)!;
  assert.equal(info.status, 'stopped');
  assert.equal(info.reason, 'cancelled');
  assert.equal(loadCheckpoint(join(req.out, 'checkpoint')).state!.step, (result as { step: number }).step);
});

test('SIGTERM checkpoints and ends the run as stopped', async (t) => {
  const req = request(tempDir(t));
  const { run, atStep } = startAndWait(req, 2);
  await atStep;
  process.kill(run.pid!, 'SIGTERM');
  const result = await run.done;
  assert.equal(result.status, 'stopped');
  assert.equal(readRunInfo(req.out)!.status, 'stopped');
  assert.ok(loadCheckpoint(join(req.out, 'checkpoint')).state!.step >= 2);
});

test('a SIGKILLed child: the parent survives, says what happened, marks the run failed and keeps the checkpoint', async (t) => {
  const req = request(tempDir(t));
  const { run, atStep } = startAndWait(req, 5);
  await atStep;
  process.kill(run.pid!, 'SIGKILL');
  const result = await run.done;
  assert.equal(result.status, 'failed');
  assert.match((result as { reason: string }).reason, /killed \(SIGKILL: out of memory/);
  const info = readRunInfo(req.out)!;
  assert.equal(info.status, 'failed');
  assert.match(info.reason!, /SIGKILL/);
  // the latest complete checkpoint is intact (saved every 2 steps)
  assert.ok(loadCheckpoint(join(req.out, 'checkpoint')).state!.step >= 4);
});

test('a dataset error in the child comes back as a data error naming file and line', async (t) => {
  const dir = tempDir(t);
  const req = request(dir);
  writeJsonl(req.data, [...toyRecords(3), { instruction: 'x' }]);
  const { run, atStep } = startAndWait(req, 1);
  await assert.rejects(atStep, /ended early/);
  const result = await run.done;
  assert.equal(result.status, 'failed');
  assert.equal((result as { code: string }).code, 'data');
  assert.match((result as { reason: string }).reason, /train\.jsonl:4:\d+: .*output/);
});
