import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactMatch, maxOverReferences, normalizeAnswer, tokenF1 } from '../../../src/core/metrics/squad';
import { scoreGeneration } from '../../../src/core/metrics/score';
import { close, reference } from './referenceValues';

test('exact match and token F1 agree with the official SQuAD v1.1 script on every reference case', () => {
  assert.ok(reference.squad.length >= 10);
  for (const c of reference.squad) {
    assert.equal(maxOverReferences(exactMatch, c.prediction, c.references), c.exact_match, `EM of ${JSON.stringify(c.prediction)}`);
    close(maxOverReferences(tokenF1, c.prediction, c.references), c.f1, `F1 of ${JSON.stringify(c.prediction)}`);
  }
});

test('token F1 by hand: "in 1976 or 1977" vs "1976" is P=1/4, R=1, F1=0.4', () => {
  assert.equal(tokenF1('in 1976 or 1977', '1976'), 0.4);
  // Repeated tokens count only as often as the reference has them.
  assert.equal(tokenF1('cat cat cat', 'cat'), 0.5);
});

test('SQuAD normalisation: lower, ASCII punctuation out, articles out as whole words, whitespace collapsed', () => {
  assert.equal(normalizeAnswer('  The  Theory, of   an Anthem!  '), 'theory of anthem');
  // "the" next to an accented letter is inside a word (Python's \b is Unicode-aware, JavaScript's is not);
  // curly quotes are not in string.punctuation, so they stay, and the "a" between them is a whole word.
  assert.equal(normalizeAnswer('éthe thé “a”'), 'éthe thé “ ”');
});

test('each exact-match normalisation can be switched off', () => {
  assert.equal(exactMatch('Paris', 'paris'), 1);
  assert.equal(exactMatch('Paris', 'paris', { case: false }), 0);
  assert.equal(exactMatch('paris.', 'paris', { punctuation: false }), 0);
  assert.equal(exactMatch('the paris', 'paris', { articles: false }), 0);
  assert.equal(exactMatch('new  york', 'new york', { whitespace: false }), 0);
  assert.equal(exactMatch('new  york', 'new york'), 1);
  // With case kept, a capitalised article is a word like any other (SQuAD matches articles after lower-casing).
  assert.equal(exactMatch('The Hague', 'Hague', { case: false }), 0);
  assert.equal(exactMatch('the Hague', 'Hague', { case: false }), 1);
});

test('scoreGeneration takes the best reference for EM/F1/ROUGE-L and all references for BLEU', () => {
  const s = scoreGeneration('Paris', ['Lyon', 'paris']);
  assert.deepEqual({ em: s.exact_match, f1: s.token_f1, rl: s.rouge_l }, { em: 1, f1: 1, rl: 1 });
  const miss = scoreGeneration('Paris', 'Lyon');
  assert.deepEqual([miss.exact_match, miss.token_f1, miss.rouge_l, miss.bleu], [0, 0, 0, 0]);
  assert.throws(() => scoreGeneration('x', []), /reference: at least one reference/);
  assert.throws(() => scoreGeneration(42 as unknown as string, 'x'), /prediction: must be a string/);
});
