// Token counts with the built-in byte-level tokenizer: for text without special tokens that is the UTF-8 length,
// which Node computes natively (a JS loop over every character would cost as much as parsing the file).
import { ByteTokenizer, utf8Length } from '../tokenizer/byteTokenizer';

const byteTokenizer = new ByteTokenizer();
const nativeByteLength: ((s: string) => number) | undefined =
  typeof Buffer !== 'undefined' ? (s) => Buffer.byteLength(s, 'utf8') : undefined;

export function countTextTokens(text: string): number {
  if (text.indexOf('<|') >= 0) return byteTokenizer.countTokens(text);
  return nativeByteLength ? nativeByteLength(text) : utf8Length(text);
}

export const TOKENIZER_NAME = byteTokenizer.name;
