import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bleuFromStats, bleuStats, corpusBleu, sentenceBleu } from '../../../src/core/metrics/bleu';
import { tokenize13a } from '../../../src/core/metrics/tokenizer13a';
import { close, reference } from './referenceValues';

test('13a tokenization splits punctuation but keeps decimals, thousands and apostrophes', () => {
  assert.deepEqual(tokenize13a('Prices rose 3.5% in 2023, to $1,000 (per unit).'), ['Prices', 'rose', '3.5', '%', 'in', '2023', ',', 'to', '$', '1,000', '(', 'per', 'unit', ')', '.']);
  assert.deepEqual(tokenize13a("5-6 year-olds' &amp; &quot;x&quot;"), ['5', '-', '6', "year-olds'", '&', '"', 'x', '"']);
  assert.deepEqual(tokenize13a('line-\nbreak\nnext<skipped>'), ['linebreak', 'next']);
});

test('13a tokens agree with the Python transcription of sacreBLEU on every BLEU case', () => {
  reference.bleu.cases.forEach((c, i) => assert.equal(tokenize13a(c.hypothesis).join(' '), reference.bleu.tokens[i]));
});

test('BLEU by hand: clipped counts, brevity penalty, exact copy', () => {
  // "the the the the" vs "the cat": unigram matches clipped to 1 of 4; no higher-order matches.
  const s = bleuStats('the the the the', ['the cat']);
  assert.deepEqual(s, { matches: [1, 0, 0, 0], totals: [4, 3, 2, 1], hypLength: 4, refLength: 2 });
  // Unsmoothed, a zero precision makes BLEU zero.
  assert.equal(bleuFromStats(s, { smoothing: 'none' }), 0);
  // exp smoothing: p = [1/4, 1/(2·3), 1/(4·2), 1/(8·1)]; BP = 1 (hyp longer).
  close(bleuFromStats(s, { smoothing: 'exp' }), Math.exp((Math.log(1 / 4) + Math.log(1 / 6) + Math.log(1 / 8) + Math.log(1 / 8)) / 4), 'exp');
  assert.equal(sentenceBleu('the cat sat on the mat', ['the cat sat on the mat']), 1);
  // A 5-token prefix of a 6-token reference: all precisions 1, BP = exp(1 - 6/5).
  close(sentenceBleu('the cat sat on the', ['the cat sat on the mat']), Math.exp(1 - 6 / 5), 'BP');
  // Closest reference length wins, the shorter one on ties (lengths 3 and 5 around a 4-token hypothesis).
  assert.equal(bleuStats('a b c d', ['a b c', 'a b c d e']).refLength, 3);
});

test('sentence BLEU uses effective order: a two-word exact answer is 1, not 0', () => {
  assert.equal(sentenceBleu('Paris France', ['Paris France']), 1);
  assert.equal(sentenceBleu('', ['Paris']), 0);
});

test('sentence BLEU with exp, floor and add-k smoothing agrees with NLTK methods 3, 1 and 2', () => {
  reference.bleu.cases.forEach((c, i) => {
    const want = reference.bleu.sentence[i];
    close(sentenceBleu(c.hypothesis, c.references, { smoothing: 'exp' }), want.exp, `exp #${i}`);
    close(sentenceBleu(c.hypothesis, c.references, { smoothing: 'floor' }), want.floor, `floor #${i}`);
    close(sentenceBleu(c.hypothesis, c.references, { smoothing: 'add-k' }), want['add-k'], `add-k #${i}`);
  });
});

test('corpus BLEU pools statistics and agrees with NLTK corpus_bleu', () => {
  const { cases } = reference.bleu;
  const corpus = corpusBleu(cases.map((c) => c.hypothesis), cases.map((c) => c.references), { smoothing: 'none' });
  close(corpus, reference.bleu.corpus_none, 'corpus BLEU');
  const meanSentence = cases.reduce((s, c) => s + sentenceBleu(c.hypothesis, c.references, { smoothing: 'none' }), 0) / cases.length;
  assert.notEqual(corpus, meanSentence);
  assert.throws(() => corpusBleu(['a'], []), /references: 0 reference sets for 1 hypotheses/);
});
