// A Hugging Face tokenizer.json behind the Tokenizer seam, through @huggingface/tokenizers (BPE, Unigram,
// WordPiece; byte-level or SentencePiece-style). Special tokens come from tokenizer_config.json as transformers
// reads them. The library gives no character offsets, so they are recovered by aligning each token's bytes with the
// input's UTF-8 bytes: the template preview and the loss mask need to know which characters each token covers.
import { Tokenizer as HfLibTokenizer } from '@huggingface/tokenizers';
import type { Encoding, Tokenizer } from './types';

export class HfTokenizerError extends Error {}

export interface HfTokenizerFiles {
  /** tokenizer.json, parsed. */
  tokenizer: Record<string, unknown>;
  /** tokenizer_config.json, parsed (null when the folder has none). */
  config: Record<string, unknown> | null;
  /** Fallbacks for special tokens the config does not name (config.json / generation_config.json ids). */
  eosTokenId?: number;
  bosTokenId?: number;
  padTokenId?: number;
}

interface AddedTokenJson { id: number; content: string; special?: boolean }

export class HfTokenizer implements Tokenizer {
  readonly name = 'huggingface';
  readonly vocabSize: number;
  readonly eosToken: string;
  readonly eosId: number;
  readonly padId: number;
  readonly bosToken?: string;
  readonly bosId?: number;
  readonly specialTokens: ReadonlyMap<string, number>;
  private readonly lib: HfLibTokenizer;
  private readonly byteLevel: boolean;
  private readonly byteFallback: boolean;
  private readonly addedById = new Map<number, string>();

  constructor(readonly files: HfTokenizerFiles, source = 'tokenizer.json') {
    const json = files.tokenizer;
    if (typeof json.model !== 'object' || json.model === null) throw new HfTokenizerError(`${source}: has no "model" section`);
    try {
      this.lib = new HfLibTokenizer(json, files.config ?? {});
    } catch (e) {
      throw new HfTokenizerError(`${source}: ${(e as Error).message}`);
    }
    const added = (Array.isArray(json.added_tokens) ? json.added_tokens : []) as AddedTokenJson[];
    for (const t of added) this.addedById.set(t.id, t.content);
    const vocab = this.lib.get_vocab(true);
    let max = -1;
    for (const id of vocab.values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
    const jsonText = JSON.stringify([json.pre_tokenizer, json.decoder]);
    this.byteLevel = /"type":"ByteLevel"/.test(jsonText);
    this.byteFallback = (json.model as { byte_fallback?: unknown }).byte_fallback === true;

    const cfg = files.config ?? {};
    const named = (field: string): string | undefined => {
      const v = cfg[field];
      if (typeof v === 'string') return v;
      if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
      return undefined;
    };
    const resolveToken = (field: string, fallbackId: number | undefined): { text: string; id: number } | undefined => {
      const text = named(field);
      if (text !== undefined) {
        const id = this.lib.token_to_id(text);
        if (id === undefined) throw new HfTokenizerError(`tokenizer_config.json: "${field}" ${JSON.stringify(text)} is not in the vocabulary of ${source}`);
        return { text, id };
      }
      if (fallbackId !== undefined) {
        const t = this.lib.id_to_token(fallbackId);
        if (t !== undefined) return { text: t, id: fallbackId };
      }
      return undefined;
    };
    const eos = resolveToken('eos_token', files.eosTokenId);
    if (!eos) throw new HfTokenizerError(`tokenizer_config.json: no "eos_token" (and config.json names no eos_token_id): generation and training need to know where a response ends`);
    this.eosToken = eos.text;
    this.eosId = eos.id;
    const bos = resolveToken('bos_token', files.bosTokenId);
    if (bos) {
      this.bosToken = bos.text;
      this.bosId = bos.id;
    }
    // Padding is never trained on or attended to; a model without a pad token pads with EOS, as transformers does.
    this.padId = resolveToken('pad_token', files.padTokenId)?.id ?? eos.id;
    const specials = new Map<string, number>();
    for (const t of added) if (t.special) specials.set(t.content, t.id);
    for (const field of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
      const text = named(field);
      const id = text !== undefined ? this.lib.token_to_id(text) : undefined;
      if (text !== undefined && id !== undefined) specials.set(text, id);
    }
    this.specialTokens = specials;
  }

  encode(text: string): Encoding {
    // As apply_chat_template tokenizes a rendering: the template writes BOS itself, so no post-processor tokens.
    const { ids, tokens } = this.lib.encode(text, { add_special_tokens: false });
    return { ids, offsets: this.alignOffsets(text, ids, tokens) };
  }

  countTokens(text: string): number {
    return this.lib.encode(text, { add_special_tokens: false }).ids.length;
  }

  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.lib.decode([...ids], { skip_special_tokens: options.skipSpecial ?? false, clean_up_tokenization_spaces: false });
  }

  /** The bytes of the input a token stands for (before normalisation), as well as can be told from its text. */
  private tokenBytes(id: number, token: string): Uint8Array {
    const added = this.addedById.get(id);
    if (added !== undefined) return utf8.encode(added);
    if (this.byteLevel) {
      const out = new Uint8Array(token.length);
      let n = 0;
      for (const ch of token) {
        const b = UNICODE_TO_BYTE.get(ch);
        if (b === undefined) return utf8.encode(token);
        out[n++] = b;
      }
      return out.subarray(0, n);
    }
    if (this.byteFallback) {
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
      if (m) return Uint8Array.of(parseInt(m[1], 16));
    }
    // SentencePiece writes a space as ▁; WordPiece marks word continuations with ##.
    return utf8.encode(token.replace(/\u2581/g, ' ').replace(/^##/, ''));
  }

  /**
   * [start, end) in UTF-16 units for each token: its bytes are matched against the input's bytes from where the
   * previous token ended. A leading space the tokenizer added (SentencePiece's prepended ▁) is not in the input and is
   * skipped; a token whose bytes are not there (a normalizer changed the text) covers what lies up to the next match.
   */
  private alignOffsets(text: string, ids: number[], tokens: string[]): Array<[number, number]> {
    const bytes = utf8.encode(text);
    // charAt[i] = UTF-16 index of the character that byte i belongs to; charAt[bytes.length] = text.length.
    const charAt = new Int32Array(bytes.length + 1);
    for (let i = 0, b = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      const width = cp > 0xffff ? 2 : 1;
      const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (let k = 0; k < len; k++) charAt[b + k] = i;
      b += len;
      i += width;
    }
    charAt[bytes.length] = text.length;
    // The end of a byte range rounds up to the end of the character holding its last byte.
    const endChar = (byteEnd: number) => {
      if (byteEnd >= bytes.length) return text.length;
      let b = byteEnd;
      while (b < bytes.length && (bytes[b] & 0xc0) === 0x80) b++;
      return charAt[b];
    };
    const matchesAt = (tb: Uint8Array, at: number) => {
      if (at + tb.length > bytes.length) return false;
      for (let k = 0; k < tb.length; k++) if (bytes[at + k] !== tb[k]) return false;
      return true;
    };
    const offsets: Array<[number, number]> = [];
    let cursor = 0;
    for (let i = 0; i < ids.length; i++) {
      let tb = this.tokenBytes(ids[i], tokens[i]);
      if (!matchesAt(tb, cursor) && tb[0] === 0x20 && matchesAt(tb.subarray(1), cursor)) tb = tb.subarray(1);
      if (matchesAt(tb, cursor)) {
        offsets.push([charAt[cursor], tb.length ? endChar(cursor + tb.length) : charAt[cursor]]);
        cursor += tb.length;
        continue;
      }
      let found = -1;
      for (let at = cursor + 1; at <= Math.min(bytes.length, cursor + 16) && found < 0; at++) if (tb.length && matchesAt(tb, at)) found = at;
      if (found >= 0) {
        offsets.push([charAt[cursor], endChar(found + tb.length)]);
        cursor = found + tb.length;
      } else {
        offsets.push([charAt[Math.min(cursor, bytes.length)], charAt[Math.min(cursor, bytes.length)]]);
      }
    }
    return offsets;
  }
}

const utf8 = new TextEncoder();

/** GPT-2's byte → printable character table, inverted. */
const UNICODE_TO_BYTE: ReadonlyMap<string, number> = (() => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const map = new Map<string, number>();
  for (const b of bs) map.set(String.fromCharCode(b), b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) map.set(String.fromCharCode(256 + n++), b);
  return map;
})();
