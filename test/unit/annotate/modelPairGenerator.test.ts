// "Build preference pairs from the model", the part without vscode: two responses sampled by `generate --record`
// child processes from a checkpoint trained here, compared with the same sampling done in-process; clear errors
// for a missing or corrupt checkpoint; an abort kills the children.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultRenderer } from '../../../src/core/template';
import { createEngine } from '../../../src/trainer/engine';
import { train } from '../../../src/trainer/train';
import { loadModel } from '../../../src/trainer/loadModel';
import { generateIds } from '../../../src/trainer/generate';
import { promptIds } from '../../../src/trainer/evaluate';
import { Rng } from '../../../src/trainer/rng';
import { pairSettings, PairSamplingCancelled, PairSamplingError, samplePair, type SamplePairOptions } from '../../../src/trainer/pairSampling';

const CLI = resolve('src/cli/main.ts');
const RECORD = { instruction: 'Reverse the word: cat', input: '' };
let dir = '';
let run = '';

/** The CLI from source (so the test does not depend on a fresh dist/ build), in a child like the extension's. */
const opts = (o: Partial<SamplePairOptions>): SamplePairOptions => ({ cli: CLI, nodeArgs: ['--import', 'tsx'], model: run, record: RECORD, seed: 11, maxNewTokens: 12, ...o });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pair-sampling-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const words = ['cat', 'dog', 'sun', 'map', 'red', 'box'];
  writeFileSync(join(dir, 'train.jsonl'), words.map((w) => JSON.stringify({ instruction: `Reverse the word: ${w}`, input: '', output: [...w].reverse().join('') })).join('\n') + '\n');
  run = join(dir, 'run');
  await train(
    { data: join(dir, 'train.jsonl'), out: run, model: 'scratch', resume: false, skipInvalid: false, includeRejected: false, evalFraction: 0,
      overrides: { steps: 3, dModel: 32, nLayers: 1, nHeads: 2, contextLength: 64, batchSize: 2, threads: 1, warmupSteps: 1, evalEvery: 0, exactMatchSamples: 0 } },
    { emit: () => undefined, stopRequested: () => false, createEngine: (o) => createEngine(o), renderer: defaultRenderer() },
  );
});

/** What the checkpoint itself produces for RECORD with these settings, in this process. */
async function inProcess(settings: { temperature: number; topP: number; seed: number }, maxNewTokens: number): Promise<string> {
  const m = await loadModel(run);
  try {
    const ids = promptIds({ tokenizer: m.tokenizer, renderer: defaultRenderer() }, RECORD);
    const stopIds = [m.tokenizer.eosId, ...(m.tokenizer.specialTokens.has('<|end|>') ? [m.tokenizer.specialTokens.get('<|end|>')!] : [])];
    const [out] = await generateIds(m.engine, [ids], { maxNewTokens, temperature: settings.temperature, topK: 0, topP: settings.topP, stopIds }, m.contextLength, new Rng(settings.seed));
    return m.tokenizer.decode(out, { skipSpecial: true });
  } finally {
    await m.engine.dispose();
  }
}

test('two responses from the checkpoint: A and B use different settings, and a fixed seed repeats them exactly', async () => {
  const pair = await samplePair(opts({}));
  const settings = pairSettings(11);
  assert.notDeepEqual(settings.a, settings.b);
  assert.equal(settings.b.seed, settings.a.seed + 1);
  assert.deepEqual(pair.provenance, { model: run, a: settings.a, b: settings.b, max_new_tokens: 12 });
  // The children sampled from this checkpoint with A's and B's settings: the same draws done here match.
  assert.equal(pair.a, await inProcess(settings.a, 12));
  assert.equal(pair.b, await inProcess(settings.b, 12));
  assert.ok(pair.a.length > 0 && pair.b.length > 0, 'an untrained-ish model still produces text');
  const again = await samplePair(opts({}));
  assert.deepEqual(again, pair);
  const otherSeed = await samplePair(opts({ seed: 12 }));
  assert.notDeepEqual([otherSeed.a, otherSeed.b], [pair.a, pair.b]);
});

test('a chat prompt is answered too (rendered by the training template)', async () => {
  const pair = await samplePair(opts({ record: { messages: [{ role: 'user', content: 'hi' }] }, maxNewTokens: 4 }));
  assert.equal(typeof pair.a, 'string');
  assert.equal(typeof pair.b, 'string');
});

test('a missing or corrupt checkpoint is a clear error naming the folder', async () => {
  const missing = join(dir, 'nowhere');
  const e1 = await samplePair(opts({ model: missing })).catch((e: Error) => e);
  assert.ok(e1 instanceof PairSamplingError, String(e1));
  assert.match(e1.message, /nowhere: no such model folder/);
  assert.doesNotMatch(e1.message, /\.ts:\d+/, 'no stack trace');

  const corrupt = join(dir, 'corrupt');
  cpSync(join(run, 'checkpoint'), corrupt, { recursive: true });
  writeFileSync(join(corrupt, 'config.json'), '{"model_type": ');
  const e2 = await samplePair(opts({ model: corrupt })).catch((e: Error) => e);
  assert.ok(e2 instanceof PairSamplingError, String(e2));
  assert.ok(e2.message.includes(join(corrupt, 'config.json')), e2.message);
  assert.match(e2.message, /corrupt JSON/);
});

test('aborting kills both children and rejects as cancelled', { timeout: 60_000 }, async () => {
  // A child that never finishes on its own: only a kill ends it, so a missing kill hangs this test into its timeout.
  const hang = join(dir, 'hang.js');
  writeFileSync(hang, 'setInterval(() => undefined, 1000);\n');
  const pids: number[] = [];
  const abort = new AbortController();
  const started = samplePair(opts({ cli: hang, nodeArgs: [], signal: abort.signal, onSpawn: (pid) => { pids.push(pid); if (pids.length === 2) setTimeout(() => abort.abort(), 300); } }));
  const e = await started.catch((x: Error) => x);
  assert.ok(e instanceof PairSamplingCancelled, String(e));
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `child ${pid} is gone`);
});
