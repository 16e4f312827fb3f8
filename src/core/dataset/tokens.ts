// Token counts with the built-in byte-level tokenizer, fast for plain text (no special tokens: UTF-8 length).
import { ByteTokenizer, utf8Length } from '../tokenizer/byteTokenizer';

const byteTokenizer = new ByteTokenizer();

export function countTextTokens(text: string): number {
  return text.indexOf('<|') < 0 ? utf8Length(text) : byteTokenizer.countTokens(text);
}

export const TOKENIZER_NAME = byteTokenizer.name;
