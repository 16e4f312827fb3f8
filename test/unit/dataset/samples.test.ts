// The bundled multitask set keeps the promises the training demo relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES } from './fixtures';

type Rec = { instruction: string; input: string; output: string; task: string; unseen?: boolean };
const load = (name: string): Rec[] => readFileSync(join(SAMPLES, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const train = load('multitask-train.jsonl');
const evalSet = load('multitask-eval.jsonl');

test('sizes, tasks and byte budgets', () => {
  assert.equal(train.length, 3000);
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

test('no eval input is in training; unseen instructions never appear in training; 12 paraphrases per task', () => {
  const trainInputs = new Set(train.map((r) => r.input));
  assert.deepEqual(evalSet.filter((r) => trainInputs.has(r.input)), []);
  const trainInstructions = new Set(train.map((r) => r.instruction));
  const unseen = evalSet.filter((r) => r.unseen);
  assert.ok(unseen.length >= 50);
  assert.deepEqual(unseen.filter((r) => trainInstructions.has(r.instruction)), []);
  assert.deepEqual(evalSet.filter((r) => !r.unseen && !trainInstructions.has(r.instruction)), []);
  for (const task of ['add', 'first_letters', 'reverse', 'sort', 'uppercase']) {
    const n = new Set(train.filter((r) => r.task === task).map((r) => r.instruction)).size;
    assert.equal(n, 12, `${task}: ${n} paraphrases`);
  }
});
