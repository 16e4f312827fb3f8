import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rougeTokenize } from '../../../src/core/metrics/rougeL';
import { SynthFilter, rougeLTokens, degenerateText, type SynthTask } from '../../../src/core/synth';

const task = (instruction: string, output = 'A fine answer.', input = ''): SynthTask => ({ instruction, input, output });
const r = (a: string, b: string) => rougeLTokens(rougeTokenize(a), rougeTokenize(b));

test('ROUGE-L on word tokens against hand-computed values', () => {
  // LCS("write a poem about the sea", "write a short poem about a lake") = write-a-poem-about = 4; P = 4/6, R = 4/7.
  const p = 4 / 6, rc = 4 / 7;
  assert.ok(Math.abs(r('Write a poem about the sea.', 'Write a short poem about a lake.') - (2 * p * rc) / (p + rc)) < 1e-12);
  // Same words reordered: LCS("sort the list", "the list sort") = 2 of 3 each way.
  assert.ok(Math.abs(r('Sort the list', 'the list, sort!') - 2 / 3) < 1e-12);
  assert.equal(r('Reverse the word.', 'reverse THE word'), 1);
  assert.equal(r('add numbers', 'translate french'), 0);
  assert.equal(r('', 'anything'), 0);
});

test('near-duplicates of seeds and of each other are dropped above the threshold, and counted', () => {
  const f = new SynthFilter(['Write a poem about the sea.', 'Convert the temperature to Fahrenheit.']);
  // 0.615 with the first seed: under 0.7, kept.
  assert.deepEqual(f.consider(task('Write a short poem about a lake.')), { kept: true });
  const seedDup = f.consider(task('Convert this temperature to Fahrenheit.'));
  assert.equal(seedDup.kept, false);
  assert.equal(!seedDup.kept && seedDup.reason, 'near-duplicate-seed');
  // Close to the kept proposal (LCS 6 of 7/7 → 0.857) but not to any seed (write-a-poem-about = 4/7 vs 4/6 → 0.615).
  const genDup = f.consider(task('Write a short poem about a river.'));
  assert.equal(!genDup.kept && genDup.reason, 'near-duplicate-generated');
  assert.deepEqual(f.consider(task('List three prime numbers below twenty.')), { kept: true });
  assert.equal(f.kept, 2);
  assert.equal(f.dropped['near-duplicate-seed'], 1);
  assert.equal(f.dropped['near-duplicate-generated'], 1);
});

test('the threshold is configurable: at 0.9 a 0.857 neighbour is kept', () => {
  const f = new SynthFilter([], { maxRougeL: 0.9 });
  f.consider(task('Write a short poem about a lake.'));
  assert.deepEqual(f.consider(task('Write a short poem about a river.')), { kept: true });
});

test('structural, degenerate, length and validator filters, each counted once', () => {
  const f = new SynthFilter([], { maxOutputChars: 40, maxTokens: 60 });
  const reasons = [
    task('', ''),
    task('Name a colour of the sky.', ''),
    task('', 'Blue.'),
    task('!!! ??? ...', 'x'),
    task('Say it again and again.', 'again again again again again again again'),
    task('Echo this sentence back.', 'Echo this sentence back.'),
    task('Go.'),
    task('Describe the ocean.', 'The ocean is a very large body of salt water that covers most of the planet.'),
    // Fits the character limit but not the validator's 60-token budget for the whole record.
    task('Describe the ocean in detail, please, with care and precision and more.', 'Oceans are salty and deep, yes.'),
    task('Spell the word\u0007 backwards.', 'sdrawkcab'),
    task('Name a colour of the sky.', 'Blue.'),
  ].map((t) => { const v = f.consider(t); return v.kept ? 'kept' : v.reason; });
  assert.deepEqual(reasons, [
    'empty', 'instruction-only', 'response-only', 'degenerate', 'degenerate', 'degenerate', 'too-short', 'too-long',
    'too-long', 'invalid', 'kept',
  ]);
  assert.equal(f.kept, 1);
  assert.equal(Object.values(f.dropped).reduce((a, b) => a + b, 0), 10);
  assert.equal(f.invalidCodes['control-chars'], 1);
  assert.equal(f.invalidCodes['too-long'], 1);
});

test('degenerate text: punctuation starts and repetition, but not ordinary sentences', () => {
  assert.match(degenerateText('- item', 'instruction')!, /does not start/);
  assert.match(degenerateText('aaaaaaaaaaaaaaaa', 'response')!, /one or two characters/);
  assert.equal(degenerateText('¿Dónde está la estación?', 'response'), null);
  assert.equal(degenerateText('42', 'response'), null);
});
