// Hashing helpers for duplicate detection: a 32-bit finaliser and a compact open-addressing index from 64-bit keys
// to line numbers, so that memory per record is a few typed-array slots, not text.

/** Murmur3's finaliser: spreads every input bit over the output. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Maps a (hi, lo) 64-bit key to the first int32 value stored for it. Open addressing with linear probing over
 * typed arrays: 12 bytes per slot, kept at most half full.
 */
export class HashIndex {
  private keys: Uint32Array;
  private values: Int32Array;
  private used = 0;
  private mask: number;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Uint32Array(cap * 2);
    this.values = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.used;
  }

  /** Returns the value already stored for the key, or stores `value` and returns -1. `value` must be >= 0. */
  getOrInsert(hi: number, lo: number, value: number): number {
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      const v = this.values[slot];
      if (v === -1) break;
      if (this.keys[slot * 2] === hi && this.keys[slot * 2 + 1] === lo) return v;
      slot = (slot + 1) & this.mask;
    }
    this.keys[slot * 2] = hi;
    this.keys[slot * 2 + 1] = lo;
    this.values[slot] = value;
    if (++this.used * 2 > this.mask + 1) this.grow();
    return -1;
  }

  get(hi: number, lo: number): number {
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      const v = this.values[slot];
      if (v === -1) return -1;
      if (this.keys[slot * 2] === hi && this.keys[slot * 2 + 1] === lo) return v;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const cap = (this.mask + 1) * 2;
    this.keys = new Uint32Array(cap * 2);
    this.values = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.used = 0;
    for (let i = 0; i < oldValues.length; i++) {
      if (oldValues[i] !== -1) this.getOrInsert(oldKeys[i * 2], oldKeys[i * 2 + 1], oldValues[i]);
    }
  }
}
