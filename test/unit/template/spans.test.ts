import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_END as E, CONTENT_START as S, GENERATION_END as GE, GENERATION_START as GS } from '../../../src/core/template/sentinels';
import { extendOverEndMarkers, extractGenerations, locateResponses, mergeSpans } from '../../../src/core/template/spans';

test('responses printed unchanged are located exactly, even when equal to prompt text', () => {
  assert.deepEqual(locateResponses(`ab${S}ab${E}c${S}${E}d`, 'ababcd'), [[2, 4], [5, 5]]);
});

test('responses the template trimmed are located on their trimmed text', () => {
  assert.deepEqual(locateResponses(`<u>x</u><a>${S}\n  hi \n${E}</a>`, '<u>x</u><a>hi</a>'), [[11, 13]]);
  // only the leading side trimmed (lstrip): the greedy alignment drops whitespace inside the response only
  assert.deepEqual(locateResponses(`[${S}\n\nhi there ${E}]`, '[hi there ]'), [[1, 10]]);
});

test('responses the template rewrote do not align', () => {
  assert.equal(locateResponses(`[${S}hi${E}]`, '[HI]'), undefined);
  assert.equal(locateResponses(`[${S}hi${E}]`, '[hi]!'), undefined);
});

test('generation sentinels are removed and offsets mapped past them', () => {
  const g = extractGenerations(`a${GS}bc${GE}d${GS}${GE}e${GS}f`);
  assert.equal(g.text, 'abcdef');
  assert.deepEqual(g.generations, [[1, 3], [5, 6]]); // empty block dropped, unclosed one runs to the end
  assert.deepEqual([0, 1, 2, 4, 5, 8, 9].map(g.map), [0, 1, 1, 3, 3, 4, 5]);
  assert.equal(extractGenerations('plain').text, 'plain');
});

test('the span runs over consecutive end markers right after the response, not over whitespace', () => {
  const markers = ['<|im_end|>', '</s>'];
  assert.deepEqual(extendOverEndMarkers('x hi<|im_end|></s>\n', [2, 4], markers), [2, 18]);
  assert.deepEqual(extendOverEndMarkers('x hi \n</s>', [2, 4], markers), [2, 4]);
});

test('spans merge when they touch or overlap and come out sorted', () => {
  assert.deepEqual(mergeSpans([[5, 7], [0, 2], [2, 3], [6, 9], [4, 4]]), [[0, 3], [5, 9]]);
});
