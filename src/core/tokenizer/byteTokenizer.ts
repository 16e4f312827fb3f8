// The built-in tokenizer: one token per UTF-8 byte plus a few special tokens written as text
// (`<|eos|>` …) so templates can name them. Small vocabulary, no training, no out-of-vocabulary.
import type { Encoding, Tokenizer } from './types';

export const BYTE_SPECIAL_TOKENS = ['<|pad|>', '<|bos|>', '<|eos|>', '<|system|>', '<|user|>', '<|assistant|>', '<|end|>'] as const;

const specialRe = new RegExp(BYTE_SPECIAL_TOKENS.map((t) => t.replace(/[|]/g, '\\|')).join('|'), 'g');

export class ByteTokenizer implements Tokenizer {
  readonly name = 'byte-level';
  readonly vocabSize = 256 + BYTE_SPECIAL_TOKENS.length;
  readonly specialTokens: ReadonlyMap<string, number> = new Map(BYTE_SPECIAL_TOKENS.map((t, i) => [t, 256 + i]));
  readonly padId = 256;
  readonly bosToken = '<|bos|>';
  readonly bosId = 257;
  readonly eosToken = '<|eos|>';
  readonly eosId = 258;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  encode(text: string): Encoding {
    const ids: number[] = [];
    const offsets: Array<[number, number]> = [];
    let last = 0;
    for (const m of text.matchAll(specialRe)) {
      this.encodePlain(text, last, m.index, ids, offsets);
      ids.push(this.specialTokens.get(m[0])!);
      offsets.push([m.index, m.index + m[0].length]);
      last = m.index + m[0].length;
    }
    this.encodePlain(text, last, text.length, ids, offsets);
    return { ids, offsets };
  }

  countTokens(text: string): number {
    let n = 0;
    let last = 0;
    for (const m of text.matchAll(specialRe)) {
      n += utf8Length(text, last, m.index) + 1;
      last = m.index + m[0].length;
    }
    return n + utf8Length(text, last, text.length);
  }

  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length) out += this.decoder.decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (const id of ids) {
      if (id < 256) bytes.push(id);
      else {
        flush();
        if (!options.skipSpecial && id < this.vocabSize) out += BYTE_SPECIAL_TOKENS[id - 256];
      }
    }
    flush();
    return out;
  }

  private encodePlain(text: string, start: number, end: number, ids: number[], offsets: Array<[number, number]>): void {
    for (let i = start; i < end; ) {
      const cp = text.codePointAt(i)!;
      // ASCII is its own byte: no encoder call (pretraining corpora are megabytes of it).
      if (cp < 0x80) {
        ids.push(cp);
        offsets.push([i, i + 1]);
        i++;
        continue;
      }
      const width = cp > 0xffff ? 2 : 1;
      const bytes = this.encoder.encode(text.slice(i, i + width));
      for (const b of bytes) {
        ids.push(b);
        offsets.push([i, i + width]);
      }
      i += width;
    }
  }
}

/** UTF-8 byte length of text[start, end) without allocating. */
export function utf8Length(text: string, start = 0, end = text.length): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
