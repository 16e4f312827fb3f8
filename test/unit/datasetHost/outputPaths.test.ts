import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { siblingOutput, splitPrefix } from '../../../src/host/dataset/outputPaths';

const dir = join('/data', 'sets');

test('outputs sit next to the input, tagged, and never reuse an existing name', () => {
  const taken = new Set<string>();
  const exists = (p: string) => taken.has(p);
  const input = join(dir, 'train.jsonl');
  assert.equal(siblingOutput(input, 'chat', exists), join(dir, 'train.chat.jsonl'));
  taken.add(join(dir, 'train.chat.jsonl'));
  assert.equal(siblingOutput(input, 'chat', exists), join(dir, 'train.chat-2.jsonl'));
  taken.add(join(dir, 'train.chat-2.jsonl'));
  assert.equal(siblingOutput(input, 'chat', exists), join(dir, 'train.chat-3.jsonl'));
  // A .json array becomes JSONL: the transformations write one record per line.
  assert.equal(siblingOutput(join(dir, 'a.json'), 'dedup', exists), join(dir, 'a.dedup.jsonl'));
  assert.notEqual(siblingOutput(input, 'x', () => false), input);
});

test('train and eval names are chosen together, as the CLI names them', () => {
  assert.deepEqual(splitPrefix(join(dir, 'd.jsonl'), () => false), { prefix: join(dir, 'd'), train: join(dir, 'd-train.jsonl'), eval: join(dir, 'd-eval.jsonl') });
  const taken = new Set([join(dir, 'd-eval.jsonl')]);
  assert.deepEqual(splitPrefix(join(dir, 'd.jsonl'), (p) => taken.has(p)), { prefix: join(dir, 'd-2'), train: join(dir, 'd-2-train.jsonl'), eval: join(dir, 'd-2-eval.jsonl') });
});
