import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAction, isAnnotatorAction } from '../../../src/core/annotate/actions';
import { LineEditError } from '../../../src/core/annotate/jsonLineEdit';

const alpaca = '{"instruction": "Add 2 and 3.", "input": "", "output": "5", "source": {"id": 12, "tags": ["math"]}}';
const pref = '{"id": "p1", "prompt": "Capital of France?", "chosen": "Lyon", "rejected": "Paris", "meta": null}';

test('accept adds a review object at the end and keeps every other byte', () => {
  assert.equal(applyAction(alpaca, { kind: 'status', status: 'accepted' }),
    '{"instruction": "Add 2 and 3.", "input": "", "output": "5", "source": {"id": 12, "tags": ["math"]}, "review": {"status": "accepted"}}');
});

test('reject after accept replaces only the status value', () => {
  const accepted = '{"review": {"note": "ok",  "status":"accepted"}, "instruction": "a", "output": "b"}';
  assert.equal(applyAction(accepted, { kind: 'status', status: 'rejected' }), '{"review": {"note": "ok",  "status":"rejected"}, "instruction": "a", "output": "b"}');
});

test('clearing the only review key removes the review, restoring the original line exactly', () => {
  const accepted = applyAction(alpaca, { kind: 'status', status: 'accepted' });
  assert.equal(applyAction(accepted, { kind: 'status', status: null }), alpaca);
  const rated = applyAction(accepted, { kind: 'rate', rating: 4 });
  assert.equal(rated, alpaca.slice(0, -1) + ', "review": {"status": "accepted", "rating": 4}}');
  assert.equal(applyAction(rated, { kind: 'status', status: null }), alpaca.slice(0, -1) + ', "review": {"rating": 4}}');
});

test('rating must be 1..5 and a note is stored as JSON text', () => {
  assert.throws(() => applyAction(alpaca, { kind: 'rate', rating: 6 }), LineEditError);
  assert.equal(applyAction(alpaca, { kind: 'note', note: 'says "5"\nfine' }), alpaca.slice(0, -1) + ', "review": {"note": "says \\"5\\"\\nfine"}}');
  const noted = applyAction(alpaca, { kind: 'note', note: 'x' });
  assert.equal(applyAction(noted, { kind: 'note', note: '' }), alpaca);
});

test('swap exchanges chosen and rejected in place, twice is identity', () => {
  const swapped = applyAction(pref, { kind: 'swap' });
  assert.equal(swapped, '{"id": "p1", "prompt": "Capital of France?", "chosen": "Paris", "rejected": "Lyon", "meta": null}');
  assert.equal(applyAction(swapped, { kind: 'swap' }), pref);
  assert.throws(() => applyAction(alpaca, { kind: 'swap' }), /preference records/);
});

test('tie and both-bad marks apply to preference records only', () => {
  assert.equal(applyAction(pref, { kind: 'mark', mark: 'tie' }), pref.slice(0, -1) + ', "review": {"mark": "tie"}}');
  assert.throws(() => applyAction(alpaca, { kind: 'mark', mark: 'both-bad' }), /preference records only/);
});

test('editing a field replaces just that string, including a chat turn', () => {
  assert.equal(applyAction(alpaca, { kind: 'setField', path: ['output'], value: 'five' }), alpaca.replace('"output": "5"', '"output": "five"'));
  const chat = '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}],"x":1}';
  assert.equal(applyAction(chat, { kind: 'setField', path: ['messages', 1, 'content'], value: 'Hello!' }), '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello!"}],"x":1}');
  assert.throws(() => applyAction(alpaca, { kind: 'setField', path: ['source'], value: 'x' }), /not text/);
  assert.throws(() => applyAction(alpaca, { kind: 'setField', path: ['nope'], value: 'x' }), (e: unknown) => e instanceof LineEditError && e.field === 'nope');
});

test('ranking must be a permutation of the response indices', () => {
  const rank = '{"prompt": "p", "responses": ["a", "b", "c"], "ranking": [0, 1, 2]}';
  assert.equal(applyAction(rank, { kind: 'rank', ranking: [2, 0, 1] }), '{"prompt": "p", "responses": ["a", "b", "c"], "ranking": [2, 0, 1]}');
  assert.equal(applyAction('{"prompt":"p","responses":["a","b","c"]}', { kind: 'rank', ranking: [1, 0, 2] }), '{"prompt":"p","responses":["a","b","c"],"ranking":[1,0,2]}');
  assert.throws(() => applyAction(rank, { kind: 'rank', ranking: [0, 0, 1] }), /twice/);
  assert.throws(() => applyAction(rank, { kind: 'rank', ranking: [0, 1] }), /2 entries but there are 3/);
});

test('a malformed review is reported, never overwritten', () => {
  assert.throws(() => applyAction('{"instruction":"a","output":"b","review":"good"}', { kind: 'status', status: 'accepted' }), (e: unknown) => e instanceof LineEditError && e.field === 'review');
  assert.throws(() => applyAction('not json', { kind: 'status', status: 'accepted' }), /not valid JSON/);
});

test('actions from a webview are checked at run time', () => {
  assert.ok(isAnnotatorAction({ kind: 'rate', rating: 3 }));
  assert.ok(isAnnotatorAction({ kind: 'setField', path: ['messages', 0, 'content'], value: 'x' }));
  assert.ok(!isAnnotatorAction({ kind: 'rate', rating: 3.5 }));
  assert.ok(!isAnnotatorAction({ kind: 'setField', path: ['a', -1], value: 'x' }));
  assert.ok(!isAnnotatorAction({ kind: 'status', status: 'maybe' }));
  assert.ok(!isAnnotatorAction({ kind: 'delete' }));
});
