import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSynthPrompt, fitExamples, formatTask, parseProposal, pickExamples, seedTask, SYNTH_HEADER, type SeedTask } from '../../../src/core/synth';

const seeds: SeedTask[] = [
  { instruction: 'Reverse the word.', input: 'lantern', output: 'nretnal', line: 1 },
  { instruction: 'What is the capital of Peru?', input: '', output: 'Lima.', line: 2 },
  { instruction: 'Add the two numbers.', input: '29 5', output: '34', line: 3 },
];

test('the prompt shows numbered tasks in the alpaca layout and ends where a new instruction begins', () => {
  const p = buildSynthPrompt(seeds.slice(0, 2));
  assert.equal(p, [
    SYNTH_HEADER, '',
    'Task 1', '### Instruction:', 'Reverse the word.', '', '### Input:', 'lantern', '', '### Response:', 'nretnal', '',
    'Task 2', '### Instruction:', 'What is the capital of Peru?', '', '### Response:', 'Lima.', '',
    'Task 3', '### Instruction:', '',
  ].join('\n'));
});

test('a task written in the prompt layout parses back to itself, with and without input', () => {
  for (const s of seeds) {
    const t = { instruction: s.instruction, input: s.input, output: s.output };
    const written = formatTask(t).slice('### Instruction:\n'.length);
    assert.deepEqual(parseProposal(written), t);
    // The model going on with another task does not leak into this one.
    assert.deepEqual(parseProposal(`${written}\nTask 9\n### Instruction:\nSomething else`), t);
    assert.deepEqual(parseProposal(`${written}### Instruction:\nSomething else`), t);
  }
});

test('partial proposals keep what is there, so the filter can name what is missing', () => {
  assert.deepEqual(parseProposal('Name a fruit.\n\n### Response:\n'), { instruction: 'Name a fruit.', input: '', output: '' });
  assert.deepEqual(parseProposal('Name a fruit.'), { instruction: 'Name a fruit.', input: '', output: '' });
  assert.deepEqual(parseProposal('### Response:\nApple'), { instruction: '', input: '', output: 'Apple' });
  assert.deepEqual(parseProposal(''), { instruction: '', input: '', output: '' });
});

test('seed records of every instruction format become tasks; preference pairs and empty ones are refused', () => {
  assert.deepEqual(seedTask({ instruction: ' Sort ', input: 'b a', output: 'a b', task: 'sort' }, 4), { instruction: 'Sort', input: 'b a', output: 'a b', line: 4 });
  const chat = seedTask({ messages: [{ role: 'user', content: 'Hi there, name a planet.' }, { role: 'assistant', content: 'Mars.' }] }, 5);
  assert.equal((chat as SeedTask).output, 'Mars.');
  assert.match((chat as SeedTask).instruction, /name a planet/);
  const completion = seedTask({ prompt: 'Q: 2+2? A:', completion: ' 4' }, 6) as SeedTask;
  assert.equal(completion.output, '4');
  assert.match((seedTask({ prompt: 'p', chosen: 'a', rejected: 'b' }, 7) as { reason: string }).reason, /preference/);
  assert.match((seedTask({ instruction: 'x', input: '', output: '' }, 8) as { reason: string }).reason, /non-empty/);
});

test('examples are a seeded sample without repeats, trimmed from the front to fit the budget', () => {
  let x = 0;
  const rand = () => ((x = (x * 9301 + 49297) % 233280) / 233280);
  const picked = pickExamples(seeds, 2, rand);
  assert.equal(picked.length, 2);
  assert.notEqual(picked[0].line, picked[1].line);
  assert.equal(pickExamples(seeds, 10, rand).length, 3);
  const count = (s: string) => s.length;
  const all = buildSynthPrompt(seeds).length;
  assert.deepEqual(fitExamples(seeds, count, all), seeds);
  assert.deepEqual(fitExamples(seeds, count, buildSynthPrompt(seeds.slice(1)).length), seeds.slice(1));
  assert.deepEqual(fitExamples(seeds, count, 10), seeds.slice(2));
});
