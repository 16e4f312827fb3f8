// The shipped pre-trained base model (media/models/base, `--model tiny`): it loads, greedy generation is
// deterministic and continues text sensibly, and instruction tuning starts far ahead of the same architecture from
// random weights (`--model scratch`) at an equal number of steps.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import { loadModel } from '../../../src/trainer/loadModel';
import { generateIds, GREEDY } from '../../../src/trainer/generate';
import { BUILTIN_PRETRAINED, BUILTIN_SCRATCH, builtinModelDir, shippedBaseModelDir } from '../../../src/trainer/builtinModel';
import { train } from '../../../src/trainer/train';
import { readMetrics } from '../../../src/trainer/runFolder';
import { defaultRenderer } from '../../../src/core/template';
import type { EvalRow, TrainRequest } from '../../../src/shared/protocol/trainer';
import { tempDir } from './helpers';

const repo = resolve(__dirname, '../../..');

test('the built-in names: tiny is the shipped folder in media/models/base, scratch has no folder (random weights)', () => {
  assert.equal(shippedBaseModelDir(), join(repo, 'media', 'models', 'base'));
  assert.equal(builtinModelDir(BUILTIN_PRETRAINED), shippedBaseModelDir());
  assert.equal(builtinModelDir(BUILTIN_SCRATCH), null);
  assert.equal(builtinModelDir('/some/folder'), '/some/folder');
});

test('the shipped model loads and greedy generation is deterministic and continues text in its corpus\'s style', async () => {
  const model = await loadModel(shippedBaseModelDir(), 1);
  try {
    assert.equal(model.contextLength, 128);
    assert.equal(model.tokenizer.vocabSize, 263);
    const prompt = (text: string) => [model.tokenizer.bosId!, ...model.tokenizer.encode(text).ids];
    const prompts = [prompt('1 In the beginning God created the heaven and the'), prompt('The word water is spelled w-'), prompt('The letters from c to j are')];
    const gen = () => generateIds(model.engine, prompts, { ...GREEDY, maxNewTokens: 24, stopIds: [model.tokenizer.eosId] }, model.contextLength);
    const first = await gen();
    const second = await gen();
    assert.deepEqual(first, second, 'greedy decoding gives the same tokens twice');
    const [verse, spelled, letters] = first.map((ids) => model.tokenizer.decode(ids, { skipSpecial: true }));
    // Random weights emit byte noise; the pre-trained model continues each prefix in the form its corpus taught:
    // words after prose, letters joined by hyphens after "spelled", single letters in a row after "the letters".
    assert.match(verse, /^ ?[a-z]+ [a-z]+ [a-z]+/i, `a continuation in words: ${JSON.stringify(verse)}`);
    assert.match(spelled, /^([a-z]-){3}[a-z]/, `spelled out letter by letter: ${JSON.stringify(spelled)}`);
    assert.match(letters, /^( [a-z]){5}/, `a run of letters: ${JSON.stringify(letters)}`);
  } finally {
    await model.engine.dispose();
  }
});

test('a short instruction tuning of the shipped model lowers response loss much faster than the same architecture from random weights', async (t) => {
  const dir = tempDir(t);
  const lines = (f: string) => readFileSync(join(repo, 'media', 'samples', f), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'train.jsonl'), lines('multitask-train.jsonl').slice(0, 400).join('\n') + '\n');
  writeFileSync(join(dir, 'eval.jsonl'), lines('multitask-eval.jsonl').slice(0, 40).join('\n') + '\n');
  const run = async (model: string): Promise<EvalRow[]> => {
    const out = join(dir, model);
    const req: TrainRequest = {
      data: join(dir, 'train.jsonl'), eval: join(dir, 'eval.jsonl'), out, model, resume: false, skipInvalid: false, includeRejected: false,
      overrides: { steps: 40, batchSize: 4, lr: 2e-3, warmupSteps: 5, evalEvery: 0, exactMatchSamples: 0, seed: 3 },
    };
    await train(req, { emit: () => {}, stopRequested: () => false, createEngine: (o) => createEngine(o), renderer: defaultRenderer() });
    return readMetrics(out).filter((r): r is EvalRow => 'split' in r);
  };
  const pre = await run(BUILTIN_PRETRAINED);
  const scratch = await run(BUILTIN_SCRATCH);
  assert.deepEqual(pre.map((r) => r.step), [0, 40]);
  assert.deepEqual(scratch.map((r) => r.step), [0, 40]);
  // Equal steps, data order and settings: the pre-trained model ends lower (measured 0.31-0.49 nats over seeds 1-4;
  // the bigger gap, a phase change the model from random weights does not reach, comes later: see the README).
  assert.ok(pre[1].loss < pre[0].loss, 'fine-tuning lowers the pre-trained model\'s response loss');
  assert.ok(pre[1].loss < scratch[1].loss - 0.25, `after 40 steps: pre-trained ${pre[1].loss.toFixed(3)} vs from scratch ${scratch[1].loss.toFixed(3)}`);
});
