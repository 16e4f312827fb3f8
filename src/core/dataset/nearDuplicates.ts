// Near-duplicate detection: MinHash over word 3-shingles of normalized text (case and punctuation folded), computed
// by one-permutation hashing (one hash per shingle, binned, densified: the cost does not grow with the signature
// size, which keeps validating 100 MB files near the speed of JSON.parse), with banded LSH so each record is
// compared only with the candidates that share a band. Per record it keeps a 128-byte signature and 8 band keys:
// hashes, never text. Short records also keep their few shingle hashes: with fewer shingles than bins, densified
// signatures of unrelated short records look alike, so candidates among them are confirmed by exact Jaccard.
import { HashIndex, fmix32 } from './hash';

/**
 * Murmur3's finaliser as a signed int32, defined here rather than imported: a module-local function is inlined
 * into the per-character loop, while an import may be reached through an accessor (tsx, tests) and is not.
 */
function fmix32i(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export const SIGNATURE_BINS = 32;
const BANDS = 8;
const ROWS = SIGNATURE_BINS / BANDS;
const EMPTY = 0xffffffff;
// Hash seeds as int32 (constants above 2^31 would make the loop variables doubles and box them on every character).
const FNV_SEED = 0x811c9dc5 | 0;
/** ASCII letters (folded to lower case) and digits map to themselves; everything else separates words. */
const ASCII_WORD = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII_WORD[c] = c;
for (let c = 97; c <= 122; c++) ASCII_WORD[c] = c;
for (let c = 65; c <= 90; c++) ASCII_WORD[c] = c | 32;
const SEQ_SEED = 0x9747b28c | 0;
/** Below this many shingles (two per bin) a record keeps its shingles for exact verification. */
const SHORT_BELOW = 64;

export interface NearMatch {
  /** Ordinal of the earlier record (the order of `add` calls that returned an id). */
  id: number;
  similarity: number;
}

/**
 * One pass over a record's content strings that yields everything the scanner needs from the characters: an exact
 * content key (for duplicates), word 3-shingles of the normalized text (for near-duplicates) and the first control
 * character of each field. One pass, because on large files each extra walk over the text costs about as much as
 * JSON.parse itself.
 */
export class ContentDigest {
  shingles = new Uint32Array(1024);
  count = 0;
  private h = FNV_SEED;
  private seq = SEQ_SEED;
  private seq2 = 0;
  private length = 0;
  private w1 = 0;
  private w2 = 0;
  private words = 0;

  reset(): void {
    this.count = 0;
    this.h = FNV_SEED;
    this.seq = SEQ_SEED;
    this.seq2 = 0;
    this.length = 0;
    this.w1 = 0;
    this.w2 = 0;
    this.words = 0;
  }

  /**
   * Feeds one field. `shingle` false keeps the field out of the near-duplicate text (it still counts for the exact
   * key). Returns the first control character of the field (C0 other than tab/LF/CR, DEL, C1), or -1.
   */
  /**
   * `words`: also hash the normalized word sequence (for normalized duplicates); `shingle`: also collect word
   * 3-shingles (for MinHash). Without either, only the exact key is computed, by the cheapest loop.
   */
  feed(text: string, marker: number, words: boolean, shingle: boolean): number {
    return words || shingle ? this.feedWords(text, marker, shingle) : this.feedPlain(text, marker);
  }

  /** Exact key only: two FNV lanes over every character, and the control-character check. */
  private feedPlain(text: string, marker: number): number {
    const len = text.length;
    let h = Math.imul(this.h ^ (0x1f + marker), 0x01000193);
    let h2 = Math.imul(this.seq ^ (0x1f + marker), 0x5bd1e995);
    let ctrl = -1;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      h = Math.imul(h ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 13);
      if (c < 32 || (c >= 127 && c <= 0x9f)) {
        if (ctrl < 0 && c !== 9 && c !== 10 && c !== 13) ctrl = c;
      }
    }
    this.h = h;
    this.seq = h2;
    this.length += len + 1;
    return ctrl;
  }

  /** Exact key, word shingles and the control-character check, in one pass. */
  private feedWords(text: string, marker: number, shingle: boolean): number {
    const len = text.length;
    if (this.count + (len >> 1) + 2 > this.shingles.length) {
      let size = this.shingles.length * 2;
      while (size < this.count + (len >> 1) + 2) size *= 2;
      const grown = new Uint32Array(size);
      grown.set(this.shingles.subarray(0, this.count));
      this.shingles = grown;
    }
    const sh = this.shingles;
    let h = Math.imul(this.h ^ (0x1f + marker), 0x01000193);
    let seq = this.seq;
    let seq2 = this.seq2;
    let n = this.count;
    let w1 = this.w1;
    let w2 = this.w2;
    let words = this.words;
    let word = FNV_SEED;
    let inWord = false;
    let ctrl = -1;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      h = Math.imul(h ^ c, 0x01000193);
      let k: number;
      if (c < 128) k = ASCII_WORD[c];
      else if (c <= 0x9f) k = 0;
      else k = c === 0xa0 || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || c === 0xfeff ? 0 : c;
      if (k !== 0) {
        word = Math.imul(word ^ k, 0x5bd1e995);
        inWord = true;
        continue;
      }
      if (c < 32 || (c >= 127 && c <= 0x9f)) {
        if (ctrl < 0 && c !== 9 && c !== 10 && c !== 13) ctrl = c;
      }
      if (inWord) {
        const w = fmix32i(word);
        word = FNV_SEED;
        inWord = false;
        words++;
        seq = (Math.imul(seq, 31) + w) | 0;
        seq2 = Math.imul(seq2 ^ w, 0x2c1b3c6d) ^ (seq2 >>> 15);
        if (shingle && words >= 3) sh[n++] = fmix32i(Math.imul(w2, 0x9e3779b1) ^ Math.imul(w1, 0x85ebca6b) ^ w);
        w2 = w1;
        w1 = w;
      }
    }
    if (inWord) {
      const w = fmix32i(word);
      words++;
      seq = (Math.imul(seq, 31) + w) | 0;
      seq2 = Math.imul(seq2 ^ w, 0x2c1b3c6d) ^ (seq2 >>> 15);
      if (shingle && words >= 3) sh[n++] = fmix32i(Math.imul(w2, 0x9e3779b1) ^ Math.imul(w1, 0x85ebca6b) ^ w);
      w2 = w1;
      w1 = w;
    }
    this.h = h;
    this.seq = seq;
    this.seq2 = seq2;
    this.count = n;
    this.w1 = w1;
    this.w2 = w2;
    this.words = words;
    this.length += len + 1;
    return ctrl;
  }

  /** The exact content key: 64 bits from an FNV hash of every character and a hash of the word sequence. */
  key(out: Uint32Array): void {
    out[0] = fmix32(this.h ^ this.length);
    out[1] = fmix32(this.seq ^ Math.imul(this.words, 0x9e3779b1));
  }

  /** The normalized key: 64 bits from two hashes of the sequence of words (case, spacing and punctuation folded). */
  normalizedKey(out: Uint32Array): boolean {
    if (this.words === 0) return false;
    out[0] = fmix32(this.seq ^ Math.imul(this.words, 0x9e3779b1));
    out[1] = fmix32(this.seq2 ^ this.words);
    return true;
  }

  /** Completes the shingle list; false when the shingled text had no words at all. */
  finishShingles(): boolean {
    if (this.words === 0) return false;
    // texts shorter than a shingle are one shingle of all their words
    if (this.words < 3 && this.count === 0) this.shingles[this.count++] = fmix32i(Math.imul(this.w2, 0x9e3779b1) ^ this.w1 ^ this.words);
    return this.count > 0;
  }
}

/** One-permutation hashing with rotation densification (an empty bin borrows the next filled one, salted). */
export function onePermutationSignature(shingles: Uint32Array, count: number, out: Uint32Array): void {
  out.fill(EMPTY);
  for (let i = 0; i < count; i++) {
    const h = shingles[i];
    const bin = h >>> 27;
    const v = h & 0x7ffffff;
    if (v < out[bin]) out[bin] = v;
  }
  for (let j = 0; j < SIGNATURE_BINS; j++) {
    if (out[j] !== EMPTY) continue;
    for (let t = 1; t < SIGNATURE_BINS; t++) {
      const from = out[(j + t) % SIGNATURE_BINS];
      if (from !== EMPTY && from < 0x8000000) { out[j] = 0x8000000 | (fmix32(from ^ Math.imul(t, 0x9e3779b1)) & 0x7ffffff); break; }
    }
  }
}

function distinctSorted(xs: Uint32Array): Uint32Array {
  const sorted = xs.slice().sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i];
  return sorted.subarray(0, n);
}

/** Signatures and the LSH band table over them. */
class SignatureIndex {
  /** Sorted distinct shingles of each record, when kept (short records). */
  private pool = new Uint32Array(0);
  private poolUsed = 0;
  private starts = new Int32Array(1025);

  constructor(private readonly keepShingles: boolean) {
    if (keepShingles) this.pool = new Uint32Array(16384);
  }

  private sigs = new Uint32Array(SIGNATURE_BINS * 1024);
  private ids = new Int32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }
  private readonly bands = new HashIndex(4096);

  /** Finds the most similar earlier record at or above `threshold`, then adds this one under `id`. */
  add(sig: Uint32Array, id: number, threshold: number, shingles?: Uint32Array): NearMatch | undefined {
    const slot = this.count++;
    if (slot >= this.ids.length) {
      const s = new Uint32Array(this.sigs.length * 2);
      s.set(this.sigs);
      this.sigs = s;
      const d = new Int32Array(this.ids.length * 2);
      d.set(this.ids);
      this.ids = d;
      const st = new Int32Array(this.ids.length + 1);
      st.set(this.starts);
      this.starts = st;
    }
    if (this.keepShingles) this.keep(slot, shingles);
    this.sigs.set(sig, slot * SIGNATURE_BINS);
    this.ids[slot] = id;
    let best: NearMatch | undefined;
    let bestSlot = -1;
    for (let b = 0; b < BANDS; b++) {
      let hi = 0x9747b28c;
      let lo = b;
      for (let r = 0; r < ROWS; r++) {
        const v = sig[b * ROWS + r];
        hi = Math.imul(hi ^ v, 0x01000193);
        lo = Math.imul(lo ^ v, 0x5bd1e995) ^ (lo >>> 13);
      }
      const other = this.bands.getOrInsert(fmix32(hi), fmix32(lo), slot);
      if (other < 0 || other === bestSlot) continue;
      const s = this.similarity(sig, other);
      if (s >= threshold && (!best || s > best.similarity || (s === best.similarity && this.ids[other] < best.id))) {
        best = { id: this.ids[other], similarity: s };
        bestSlot = other;
      }
    }
    return best;
  }

  private keep(slot: number, shingles: Uint32Array | undefined): void {
    const n = shingles ? shingles.length : 0;
    while (this.poolUsed + n > this.pool.length) {
      const p = new Uint32Array(this.pool.length * 2);
      p.set(this.pool);
      this.pool = p;
    }
    if (shingles) this.pool.set(shingles, this.poolUsed);
    this.starts[slot] = this.poolUsed;
    this.poolUsed += n;
    this.starts[slot + 1] = this.poolUsed;
  }

  private similarity(sig: Uint32Array, other: number): number {
    const self = this.count - 1;
    if (this.starts[self + 1] > this.starts[self] && this.starts[other + 1] > this.starts[other]) return this.exactSimilarity(self, other);
    const base = other * SIGNATURE_BINS;
    let same = 0;
    for (let j = 0; j < SIGNATURE_BINS; j++) if (this.sigs[base + j] === sig[j]) same++;
    return same / SIGNATURE_BINS;
  }

  /** |A ∩ B| / |A ∪ B| of two records' kept shingle sets (sorted here: verification is rare, storing is not). */
  private exactSimilarity(a: number, b: number): number {
    const A = distinctSorted(this.pool.subarray(this.starts[a], this.starts[a + 1]));
    const B = distinctSorted(this.pool.subarray(this.starts[b], this.starts[b + 1]));
    let i = 0;
    let j = 0;
    let both = 0;
    while (i < A.length && j < B.length) {
      if (A[i] === B[j]) { both++; i++; j++; }
      else if (A[i] < B[j]) i++;
      else j++;
    }
    const union = A.length + B.length - both;
    return union === 0 ? 0 : both / union;
  }
}

export class NearDuplicateIndex {
  private readonly index = new SignatureIndex(true);
  private readonly sig = new Uint32Array(SIGNATURE_BINS);

  constructor(readonly threshold: number) {}

  /** Adds a record's shingles under the next id (0, 1, …); returns the most similar earlier record, if any. */
  add(digest: ContentDigest): NearMatch | undefined {
    const n = digest.count;
    onePermutationSignature(digest.shingles, n, this.sig);
    return this.index.add(this.sig, this.index.size, this.threshold, n < SHORT_BELOW ? digest.shingles.subarray(0, n) : undefined);
  }
}
