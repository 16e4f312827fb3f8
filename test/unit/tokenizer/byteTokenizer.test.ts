import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';

const tok = new ByteTokenizer();

test('bytes round-trip, including multi-byte and astral characters', () => {
  const s = 'héllo 世界 🎉';
  const { ids, offsets } = tok.encode(s);
  assert.equal(ids.length, Buffer.byteLength(s, 'utf8'));
  assert.equal(tok.decode(ids), s);
  assert.equal(tok.countTokens(s), ids.length);
  // every byte of the emoji points back at its two UTF-16 units
  assert.deepEqual(offsets.at(-1), [s.length - 2, s.length]);
});

test('special tokens are single ids with their own offsets and can be skipped on decode', () => {
  const s = '<|user|>hi<|eos|>';
  const { ids, offsets } = tok.encode(s);
  assert.deepEqual(ids, [260, 104, 105, tok.eosId]);
  assert.deepEqual(offsets, [[0, 8], [8, 9], [9, 10], [10, 17]]);
  assert.equal(tok.decode(ids), s);
  assert.equal(tok.decode(ids, { skipSpecial: true }), 'hi');
  assert.equal(tok.countTokens(s), 4);
});

test('text that merely resembles a special token is plain bytes', () => {
  assert.equal(tok.encode('<|eo s|>').ids.length, 8);
});
