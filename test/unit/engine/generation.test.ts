// Batched KV-cached generation against the uncached full forward (nextTokenLogits): same logits at every step
// for prompts of different lengths in one batch (up to and past the context), same greedy and sampled outputs,
// rows isolated from each other, no tensors left behind, stale sessions refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/trainer/engine/index';
import { loadBackend } from '../../../src/trainer/backend/index';
import type { Engine, GptConfig } from '../../../src/trainer/engine/types';
import { generateIds, GREEDY } from '../../../src/trainer/generate';
import { Rng } from '../../../src/trainer/rng';
import { OPT, TINY, patternBatch } from './helpers';

/** An engine whose weights are larger than the init's, so attention is far from uniform and logits differ per token. */
async function engineWithBigWeights(config: GptConfig, seed: number): Promise<Engine> {
  const engine = await createEngine({ config, seed, threads: 1 });
  const state = await engine.getState();
  for (const p of Object.values(state.params)) for (let i = 0; i < p.data.length; i++) p.data[i] += 0.3 * Math.sin(i * 1.7 + p.data.length);
  await engine.setState(state);
  return engine;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const tokensFor = (n: number, seed: number, V: number) => Array.from({ length: n }, (_, i) => (seed * 7 + i * 5) % V);

for (const [name, config] of [['2 heads, context 8', TINY], ['4 heads, context 12', { vocabSize: 23, contextLength: 12, dModel: 32, nLayers: 2, nHeads: 4 }]] as const) {
  test(`cached logits equal the uncached full forward at every step (${name})`, async () => {
    const engine = await engineWithBigWeights(config, 3);
    const T = config.contextLength;
    // Lengths: one token, short, just under the context, exactly the context, past it (cropped to the last T).
    const prompts = [1, 3, T - 1, T, T + 4].map((n, i) => tokensFor(n, i + 1, config.vocabSize));
    const seqs = prompts.map((p) => [...p]);
    const session = await engine.startGeneration(prompts);
    const full = await engine.nextTokenLogits(seqs);
    session.logits.forEach((l, i) => assert.ok(maxAbsDiff(l, full[i]) < 1e-5, `prefill row ${i}: ${maxAbsDiff(l, full[i])}`));
    assert.ok(maxAbsDiff(full[0], full[1]) > 1e-2, 'rows have different logits (the comparison means something)');
    let rows = [0, 1, 2, 3, 4];
    for (let step = 0; step < T + 3; step++) {
      // Rows drop out over time (finished sequences), in a different order each step.
      if (step === 4) rows = [4, 2, 0, 1];
      if (step === 7) rows = [1, 3, 4];
      const tokens = rows.map((r) => (r * 3 + step * 2 + 1) % config.vocabSize);
      rows.forEach((r, i) => seqs[r].push(tokens[i]));
      const cached = await session.step(rows, tokens);
      const reference = await engine.nextTokenLogits(rows.map((r) => seqs[r]));
      rows.forEach((r, i) => {
        const d = maxAbsDiff(cached[i], reference[i]);
        assert.ok(d < 1e-5, `step ${step}, row ${r} (length ${seqs[r].length}): max |Δlogit| ${d}`);
      });
    }
    session.dispose();
    await engine.dispose();
  });
}

test('a window shorter than the context slides like the uncached path cropped to that window', async () => {
  const engine = await engineWithBigWeights(TINY, 5);
  const prompts = [[1, 2], [3, 4, 5, 6, 7, 8]];
  const seqs = prompts.map((p) => [...p]);
  const session = await engine.startGeneration(prompts, { window: 4 });
  for (let step = 0; step < 5; step++) {
    const tokens = [step % 17, (step * 5) % 17];
    seqs.forEach((s, i) => s.push(tokens[i]));
    const cached = await session.step([0, 1], tokens);
    const reference = await engine.nextTokenLogits(seqs.map((s) => s.slice(-4)));
    cached.forEach((l, i) => assert.ok(maxAbsDiff(l, reference[i]) < 1e-5, `step ${step} row ${i}`));
  }
  await engine.dispose();
});

test('batched cached greedy output equals one-prompt-at-a-time uncached greedy output; sampling is the same per seed', async () => {
  const engine = await engineWithBigWeights(TINY, 11);
  const prompts = [[4], [1, 2, 3], [9, 9, 9, 9, 9, 9, 9], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]];
  // Only nextTokenLogits: generateIds falls back to full forwards over whole sequences (the old path).
  const uncached = { nextTokenLogits: (s: number[][]) => engine.nextTokenLogits(s) };
  for (const stopIds of [[], [3], [0, 7]]) {
    const opts = { ...GREEDY, maxNewTokens: 12, stopIds };
    const batched = await generateIds(engine, prompts, opts, TINY.contextLength);
    const alone: number[][] = [];
    for (const p of prompts) alone.push((await generateIds(uncached, [p], opts, TINY.contextLength))[0]);
    assert.deepEqual(batched, alone, `stop ids ${stopIds}`);
    assert.ok(batched.some((o) => o.length > 1));
  }
  const sampled = { temperature: 0.9, topK: 8, topP: 0.95, maxNewTokens: 12, stopIds: [3] };
  const a = await generateIds(engine, prompts, sampled, TINY.contextLength, new Rng(42));
  const b = await generateIds(uncached, prompts, sampled, TINY.contextLength, new Rng(42));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, await generateIds(engine, prompts, sampled, TINY.contextLength, new Rng(43)));
  await engine.dispose();
});

test('rows never see each other: a row\'s logits do not depend on the other prompts, their lengths or their tokens', async () => {
  const engine = await engineWithBigWeights(TINY, 8);
  const mine = [2, 4, 6];
  const s1 = await engine.startGeneration([mine, [1], [7, 7, 7, 7, 7, 7, 7]]);
  const s2 = await engine.startGeneration([mine, [3, 1, 4, 1, 5, 9, 2], [8, 8]]);
  const alone = await engine.startGeneration([mine]);
  const check = (a: Float32Array, b: Float32Array, what: string) => assert.ok(maxAbsDiff(a, b) < 1e-6, what);
  check(s1.logits[0], alone.logits[0], 'prefill vs alone');
  check(s2.logits[0], alone.logits[0], 'prefill vs other neighbours');
  for (let step = 0; step < 6; step++) {
    const a = await s1.step([0, 1, 2], [5, step, 16 - step]);
    const b = await s2.step([2, 0, 1], [step, 5, 11]);
    const c = await alone.step([0], [5]);
    check(a[0], c[0], `step ${step} vs alone`);
    check(b[1], c[0], `step ${step}, other neighbours`);
  }
  for (const s of [s1, s2, alone]) s.dispose();
  await engine.dispose();
});

test('sessions hold no tensors between calls; dispose and engine dispose leave tf.memory() where it was', async () => {
  const { tf } = await loadBackend();
  const before = tf.memory().numTensors;
  const engine = await createEngine({ config: TINY, seed: 2, threads: 1 });
  // The first session uploads the generation replica's weights (kept until the weights change).
  const warm = await engine.startGeneration([[1, 2]]);
  warm.dispose();
  const withWeights = tf.memory().numTensors;
  const session = await engine.startGeneration([[1, 2, 3], [4], [5, 6, 7, 8, 9, 10, 11, 12]]);
  assert.equal(tf.memory().numTensors, withWeights);
  for (let step = 0; step < 4; step++) {
    await session.step([0, 1, 2], [step, step + 1, step + 2]);
    assert.equal(tf.memory().numTensors, withWeights, `after step ${step}`);
  }
  session.dispose();
  await assert.rejects(session.step([0], [1]), /disposed/);
  await engine.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('a session is refused once the weights change, and checks its rows and tokens', async () => {
  const engine = await createEngine({ config: TINY, seed: 6, threads: 1 });
  await assert.rejects(engine.startGeneration([[1], []]), /sequence 1 is empty/);
  await assert.rejects(engine.startGeneration([[1, 99]]), /token id 99 is outside the vocabulary/);
  await assert.rejects(engine.startGeneration([[1]], { window: 0 }), /window must be a positive integer/);
  const session = await engine.startGeneration([[1, 2], [3]]);
  await assert.rejects(session.step([0, 0], [1, 2]), /distinct/);
  await assert.rejects(session.step([2], [1]), /distinct integers in 0\.\.1/);
  await assert.rejects(session.step([1], [17]), /token id 17/);
  await assert.rejects(session.step([0, 1], [1]), /2 rows and 1 tokens/);
  await engine.trainStep([patternBatch(TINY, 2, 8, 1)], OPT);
  await assert.rejects(session.step([0], [1]), /weights changed/);
  // A new session after the update sees the new weights.
  const fresh = await engine.startGeneration([[1, 2]]);
  const [reference] = await engine.nextTokenLogits([[1, 2]]);
  assert.ok(maxAbsDiff(fresh.logits[0], reference) < 1e-5);
  await engine.dispose();
});
