import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looseVariants, runChecks } from '../../../src/core/metrics/checks';

test('loose variants are IFEval\'s eight: as is, no first line, no last line, no both, each also without *', () => {
  const v = looseVariants('Sure!\n**Body** text\nHope this helps');
  assert.deepEqual(v, [
    'Sure!\n**Body** text\nHope this helps',
    'Sure!\nBody text\nHope this helps',
    '**Body** text\nHope this helps',
    'Sure!\n**Body** text',
    '**Body** text',
    'Body text\nHope this helps',
    'Sure!\nBody text',
    'Body text',
  ]);
});

test('a preamble line fails strictly but passes loosely', () => {
  const r = runChecks('Sure, here is the JSON:\n{"answer": 42}', [{ type: 'json' }]);
  assert.deepEqual(r.checks[0], { index: 0, type: 'json', strict: false, loose: true });
  assert.equal(r.prompt_strict, false);
  assert.equal(r.prompt_loose, true);
});

test('markdown asterisks fail strictly but pass loosely; a closing line likewise', () => {
  const stars = runChecks('**answer** is ready', [{ type: 'starts_with', text: 'answer' }]);
  assert.deepEqual([stars.checks[0].strict, stars.checks[0].loose], [false, true]);
  const closing = runChecks('"The whole reply."\nLet me know if you need more.', [{ type: 'quotation' }]);
  assert.deepEqual([closing.checks[0].strict, closing.checks[0].loose], [false, true]);
});

test('loose does not rescue a response that breaks the rule in its body', () => {
  const r = runChecks('Intro\nthe body, with a comma\nOutro', [{ type: 'no_comma' }]);
  assert.deepEqual([r.checks[0].strict, r.checks[0].loose], [false, false]);
});

test('prompt level needs every check; outcomes keep the check order and types', () => {
  const r = runChecks('hello world', [{ type: 'lowercase' }, { type: 'min_words', n: 3 }, { type: 'no_comma' }]);
  assert.deepEqual(r.checks.map((c) => [c.index, c.type, c.strict]), [[0, 'lowercase', true], [1, 'min_words', false], [2, 'no_comma', true]]);
  assert.equal(r.prompt_strict, false);
  assert.equal(runChecks('hello there world', [{ type: 'lowercase' }, { type: 'min_words', n: 3 }]).prompt_strict, true);
});

test('no checks: the prompt trivially passes', () => {
  assert.deepEqual(runChecks('x', []), { checks: [], prompt_strict: true, prompt_loose: true });
});
