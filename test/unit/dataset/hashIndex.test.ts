// The duplicate index: first value wins, survives growth, tells keys that differ in either half apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashIndex, fmix32 } from '../../../src/core/dataset/hash';

test('stores the first value per 64-bit key through many growths', () => {
  const idx = new HashIndex(4);
  for (let i = 0; i < 50_000; i++) assert.equal(idx.getOrInsert(fmix32(i), i & 7, i), -1);
  assert.equal(idx.size, 50_000);
  for (let i = 0; i < 50_000; i += 997) {
    assert.equal(idx.get(fmix32(i), i & 7), i);
    assert.equal(idx.getOrInsert(fmix32(i), i & 7, 123), i);
  }
  assert.equal(idx.get(fmix32(3), 4), -1, 'same high half, other low half');
  assert.equal(idx.size, 50_000);
});
