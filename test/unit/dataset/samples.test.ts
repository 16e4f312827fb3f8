// The bundled multitask set keeps the promises the training demo relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES } from './fixtures';
// @ts-expect-error: the sample generators are plain JavaScript modules without types
import { WORDS } from '../../../scripts/samples/words.mjs';

type Rec = { instruction: string; input: string; output: string; task: string; unseen?: boolean };
const load = (name: string): Rec[] => readFileSync(join(SAMPLES, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const train = load('multitask-train.jsonl');
const evalSet = load('multitask-eval.jsonl');

test('sizes, tasks and byte budgets', () => {
  assert.equal(train.length, 12000);
  assert.equal(evalSet.length, 300);
  for (const r of [...train, ...evalSet]) {
    assert.ok(Buffer.byteLength(r.instruction) <= 48 && Buffer.byteLength(r.input) <= 28 && Buffer.byteLength(r.output) <= 16, JSON.stringify(r));
  }
  const tasks = new Set(train.map((r) => r.task));
  assert.deepEqual([...tasks].sort(), ['add', 'first_letters', 'reverse', 'sort', 'uppercase']);
});

test('answers are right', () => {
  for (const r of [...train, ...evalSet]) {
    const words = r.input.split(' ');
    const expected = {
      uppercase: r.input.toUpperCase(),
      reverse: [...r.input].reverse().join(''),
      first_letters: words.map((w) => w[0]).join(''),
      add: String(Number(words[0]) + Number(words[1])),
      sort: [...words].sort().join(' '),
    }[r.task];
    assert.equal(r.output, expected, JSON.stringify(r));
  }
});

test('no eval input is in training; unseen instructions never appear in training; 24 paraphrases per task', () => {
  const trainInputs = new Set(train.map((r) => r.input));
  assert.deepEqual(evalSet.filter((r) => trainInputs.has(r.input)), []);
  const trainInstructions = new Set(train.map((r) => r.instruction));
  const unseen = evalSet.filter((r) => r.unseen);
  assert.ok(unseen.length >= 50);
  assert.deepEqual(unseen.filter((r) => trainInstructions.has(r.instruction)), []);
  assert.deepEqual(evalSet.filter((r) => !r.unseen && !trainInstructions.has(r.instruction)), []);
  for (const task of ['add', 'first_letters', 'reverse', 'sort', 'uppercase']) {
    const n = new Set(train.filter((r) => r.task === task).map((r) => r.instruction)).size;
    assert.equal(n, 24, `${task}: ${n} paraphrases`);
  }
});

test('reversal trains on made-up words as well as real ones, and is evaluated on real words', () => {
  const words = new Set<string>(WORDS);
  const reverseTrain = train.filter((r) => r.task === 'reverse');
  assert.equal(reverseTrain.length, 2400);
  const distinct = new Set(reverseTrain.map((r) => r.input));
  // Far more distinct words than the ~500-word list holds: a model cannot pass by memorising reversals.
  assert.ok(distinct.size > 1000, `${distinct.size} distinct reversal inputs`);
  assert.ok([...distinct].filter((w) => !words.has(w)).length > 800, 'made-up words');
  for (const r of evalSet.filter((e) => e.task === 'reverse')) assert.ok(words.has(r.input), `eval reverses a real word, not ${r.input}`);
});
