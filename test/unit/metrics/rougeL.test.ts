import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lcsLength, rougeL, rougeLScore, rougeTokenize } from '../../../src/core/metrics/rougeL';
import { porterStem } from '../../../src/core/metrics/porterStemmer';
import { close, reference } from './referenceValues';

test('LCS on textbook cases', () => {
  assert.equal(lcsLength('ABCBDAB'.split(''), 'BDCABA'.split('')), 4); // CLRS: BCBA
  assert.equal(lcsLength('AGGTAB'.split(''), 'GXTXAYB'.split('')), 4); // GTAB
  assert.equal(lcsLength([], ['a']), 0);
  assert.equal(lcsLength(['a', 'b', 'c'], ['c', 'b', 'a']), 1);
});

test('ROUGE-L by hand: Lin (2004) "police killed the gunman" examples', () => {
  // Reference "police kill the gunman": LCS with "police killed the gunman" is police-the-gunman = 3 of 4 each way.
  const s = rougeLScore('police killed the gunman', 'police kill the gunman');
  assert.deepEqual(s, { precision: 0.75, recall: 0.75, fmeasure: 0.75 });
  // "the gunman kill police": LCS 2 ("the gunman"), so P = R = F = 0.5.
  assert.equal(rougeL('the gunman kill police', 'police kill the gunman'), 0.5);
  // Different lengths: LCS("the cat", "the big black cat") = 2, P = 1, R = 0.5, F = 2/3.
  const t = rougeLScore('the cat', 'the big black cat');
  assert.equal(t.precision, 1);
  assert.equal(t.recall, 0.5);
  close(t.fmeasure, 2 / 3, 'F');
});

test('rouge_score tokenization: lower-case, non-alphanumerics split and non-ASCII letters dropped', () => {
  assert.deepEqual(rougeTokenize("It's 42-ish, café!"), ['it', 's', '42', 'ish', 'caf']);
  assert.deepEqual(rougeTokenize('  '), []);
  assert.equal(rougeL('', 'anything'), 0);
});

test('ROUGE-L agrees with rouge_score\'s tokenizer and LCS, unstemmed and stemmed', () => {
  for (const c of reference.rouge_l) {
    close(rougeL(c.prediction, c.reference), c.fmeasure, `ROUGE-L of ${JSON.stringify(c.prediction)}`);
    close(rougeL(c.prediction, c.reference, { stem: true }), c.fmeasure_stemmed, `stemmed ROUGE-L of ${JSON.stringify(c.prediction)}`);
  }
  assert.ok(reference.rouge_l.some((c) => c.fmeasure !== c.fmeasure_stemmed), 'fixture has a case where stemming matters');
});

test('Porter stems match NLTK PorterStemmer() word for word', () => {
  const entries = Object.entries(reference.porter);
  assert.ok(entries.length > 500);
  const wrong = entries.filter(([w, s]) => porterStem(w) !== s);
  assert.deepEqual(wrong.map(([w, s]) => `${w}→${s} (got ${porterStem(w)})`), []);
  assert.equal(porterStem('relational'), 'relat');
  assert.equal(porterStem('dying'), 'die');
});
