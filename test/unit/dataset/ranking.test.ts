import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, validateText } from '../../../src/core/dataset';

const line = (o: unknown) => JSON.stringify(o);

test('a ranking of several responses is preference data', () => {
  assert.equal(detectFormat({ prompt: 'p', responses: ['a', 'b', 'c'], ranking: [2, 0, 1] }), 'preference');
  const ok = validateText([
    line({ prompt: 'Which is best?', responses: ['one', 'two', 'three'], ranking: [1, 2, 0] }),
    line({ prompt: 'Unranked yet', responses: ['x', 'y'] }),
    line({ prompt: 'Pair', chosen: 'good', rejected: 'bad' }),
  ].join('\n'));
  assert.equal(ok.format, 'preference');
  assert.deepEqual(ok.problems, []);
});

test('bad rankings name the field: too few responses, not a permutation, empty response', () => {
  const r = validateText([
    line({ prompt: 'p1', responses: ['only one'] }),
    line({ prompt: 'p2', responses: ['a', 'b', 'c'], ranking: [0, 0, 1] }),
    line({ prompt: 'p3', responses: ['a', '  '], ranking: [1, 0] }),
    line({ prompt: 'p4', responses: ['a', 'b'], ranking: [0, 2] }),
  ].join('\n'));
  const got = r.problems.map((p) => [p.line, p.code, p.field]);
  assert.deepEqual(got, [
    [1, 'wrong-type', 'responses'],
    [2, 'wrong-type', 'ranking'],
    [3, 'empty-field', 'responses[1]'],
    [4, 'wrong-type', 'ranking'],
  ]);
});
