// Near-duplicate detection with MinHash over word 3-shingles of normalized text (case and punctuation folded),
// computed by one-permutation hashing (one hash per shingle, binned, densified) so the cost does not grow with the
// signature size, and banded LSH so each record is compared only with candidates that share a band.
// Per record it keeps a 64-byte signature and 8 band keys: hashes, never text.
import { HashIndex, fmix32 } from './hash';

export const SIGNATURE_BINS = 32;
const BANDS = 8;
const ROWS = SIGNATURE_BINS / BANDS;
const EMPTY = 0xffffffff;

export interface NearMatch {
  /** Ordinal of the earlier record (as given to `add`). */
  id: number;
  similarity: number;
}

export class MinHasher {
  readonly signature = new Uint32Array(SIGNATURE_BINS);
  private word = 0;
  private inWord = false;
  private w1 = 0;
  private w2 = 0;
  private words = 0;
  private shingles = 0;

  reset(): void {
    this.signature.fill(EMPTY);
    this.inWord = false;
    this.w1 = 0;
    this.w2 = 0;
    this.words = 0;
    this.shingles = 0;
    this.word = 0x811c9dc5;
  }

  /** Feeds text; separate calls are separate words (fields never glue together). */
  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      let isWord: boolean;
      if (c < 128) {
        if (c >= 65 && c <= 90) c |= 32;
        isWord = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
      } else {
        // letters of every script count; typographic spaces and punctuation do not
        isWord = !(c === 0xa0 || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || c === 0xfeff);
      }
      if (isWord) {
        this.word = Math.imul(this.word ^ c, 0x01000193);
        this.inWord = true;
      } else if (this.inWord) this.endWord();
    }
    if (this.inWord) this.endWord();
  }

  private endWord(): void {
    const w = fmix32(this.word);
    this.word = 0x811c9dc5;
    this.inWord = false;
    this.words++;
    if (this.words >= 3) this.addShingle(Math.imul(this.w2, 0x9e3779b1) ^ Math.imul(this.w1, 0x85ebca6b) ^ w);
    this.w2 = this.w1;
    this.w1 = w;
  }

  private addShingle(h: number): void {
    h = fmix32(h);
    const bin = h >>> 27;
    const v = h & 0x7ffffff;
    if (v < this.signature[bin]) this.signature[bin] = v;
    this.shingles++;
  }

  /** Completes the signature; false when the text had no words at all. */
  finish(): boolean {
    if (this.words === 0) return false;
    // texts shorter than a shingle are one shingle of all their words
    if (this.words < 3) this.addShingle(Math.imul(this.w2, 0x9e3779b1) ^ this.w1 ^ this.words);
    // rotation densification: an empty bin borrows the next filled bin's value, salted by the distance
    const sig = this.signature;
    for (let j = 0; j < SIGNATURE_BINS; j++) {
      if (sig[j] !== EMPTY) continue;
      for (let t = 1; t < SIGNATURE_BINS; t++) {
        const from = sig[(j + t) % SIGNATURE_BINS];
        if (from !== EMPTY && from < 0x8000000) { sig[j] = 0x8000000 | (fmix32(from ^ Math.imul(t, 0x9e3779b1)) & 0x7ffffff); break; }
      }
    }
    return true;
  }
}

/** Signatures of the records seen so far, and the LSH band tables over them. */
export class NearDuplicateIndex {
  private sigs = new Uint32Array(SIGNATURE_BINS * 1024);
  private count = 0;
  private readonly bands = new HashIndex(4096);

  constructor(readonly threshold: number) {}

  /** Adds a signature under id `count`; returns the most similar earlier record at or above the threshold. */
  add(sig: Uint32Array): NearMatch | undefined {
    const id = this.count++;
    if (id * SIGNATURE_BINS >= this.sigs.length) {
      const grown = new Uint32Array(this.sigs.length * 2);
      grown.set(this.sigs);
      this.sigs = grown;
    }
    this.sigs.set(sig, id * SIGNATURE_BINS);
    let best: NearMatch | undefined;
    for (let b = 0; b < BANDS; b++) {
      let hi = 0x9747b28c;
      let lo = b;
      for (let r = 0; r < ROWS; r++) {
        const v = sig[b * ROWS + r];
        hi = Math.imul(hi ^ v, 0x01000193);
        lo = Math.imul(lo ^ v, 0x5bd1e995) ^ (lo >>> 13);
      }
      const other = this.bands.getOrInsert(fmix32(hi), fmix32(lo), id);
      if (other < 0 || (best && best.id === other)) continue;
      const s = this.similarity(sig, other);
      if (s >= this.threshold && (!best || s > best.similarity || (s === best.similarity && other < best.id))) best = { id: other, similarity: s };
    }
    return best;
  }

  private similarity(sig: Uint32Array, other: number): number {
    const base = other * SIGNATURE_BINS;
    let same = 0;
    for (let j = 0; j < SIGNATURE_BINS; j++) if (this.sigs[base + j] === sig[j]) same++;
    return same / SIGNATURE_BINS;
  }
}
