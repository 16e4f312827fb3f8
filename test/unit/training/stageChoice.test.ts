import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stageChoice } from '../../../src/host/training/stageChoice';
import { validateText } from '../../../src/core/dataset';

const pair = (i: number) => JSON.stringify({ prompt: `Question ${i}?`, chosen: `Good answer ${i}.`, rejected: `Bad ${i}.` });
const inst = (i: number) => JSON.stringify({ instruction: `Do task ${i}.`, input: '', output: `Done ${i}.` });
const summaryOf = (lines: string[]) => ({ ...validateText(lines.join('\n') + '\n', { file: '/data/x.jsonl', nearDuplicates: false }), file: '/data/x.jsonl' });

test('preference pairs offer DPO first, then SFT on the chosen responses', () => {
  const c = stageChoice(summaryOf([pair(1), pair(2)]));
  assert.equal(c.kind, 'pick');
  assert.deepEqual(c.kind === 'pick' && c.options.map((o) => o.stage), ['dpo', 'sft']);
});

test('instruction records of every format train SFT only, without asking', () => {
  assert.deepEqual(stageChoice(summaryOf([inst(1), inst(2)])), { kind: 'fixed', stage: 'sft' });
  const chat = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] });
  assert.deepEqual(stageChoice(summaryOf([chat])), { kind: 'fixed', stage: 'sft' });
  assert.deepEqual(stageChoice(summaryOf([JSON.stringify({ prompt: 'Q:', completion: ' A' })])), { kind: 'fixed', stage: 'sft' });
});

test('a mix is explained with counts, the first line of the other kind and the stage of the majority', () => {
  const c = stageChoice(summaryOf([pair(1), pair(2), inst(3), pair(4)]));
  assert.equal(c.kind, 'mixed');
  if (c.kind !== 'mixed') return;
  assert.equal(c.stage, 'dpo');
  assert.equal(c.preference, 3);
  assert.equal(c.instruction, 1);
  assert.match(c.message, /x\.jsonl mixes 3 preference pairs and 1 instruction record \(first of the other kind at line 3\)/);
  const d = stageChoice(summaryOf([inst(1), pair(2), inst(3)]));
  assert.equal(d.kind === 'mixed' && d.stage, 'sft');
  assert.equal(d.kind === 'mixed' && d.preference, 1);
});

test('a mix of instruction formats only (alpaca and chat) is not a stage question', () => {
  const chat = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] });
  assert.deepEqual(stageChoice(summaryOf([inst(1), chat])), { kind: 'fixed', stage: 'sft' });
});

test('when the summary lists only the first problems, the mix is described with lower bounds', () => {
  const lines = [pair(1), pair(2), pair(3), inst(4), inst(5), inst(6)];
  const full = summaryOf(lines);
  const cut = { ...full, problems: full.problems.slice(0, 2), truncated: true };
  const c = stageChoice(cut);
  assert.equal(c.kind, 'mixed');
  assert.match(c.kind === 'mixed' ? c.message : '', /mixes preference pairs and instruction records \(at least 2 of the other kind, the first at line 4\)/);
  assert.doesNotMatch(c.kind === 'mixed' ? c.message : '', /skipping the \d/);
});
