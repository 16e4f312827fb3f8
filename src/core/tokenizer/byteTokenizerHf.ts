// The built-in byte-level tokenizer written as a Hugging Face tokenizer.json + tokenizer_config.json, so that a
// model trained with it can be exported as a standard folder that transformers (and HfTokenizer) load with the
// same ids: a BPE with no merges over GPT-2's byte alphabet, ordered so that token id = byte value, no regex
// splitting, and the special tokens as added tokens after the 256 bytes.
import { BYTE_SPECIAL_TOKENS, ByteTokenizer } from './byteTokenizer';

export function byteTokenizerHfFiles(): { tokenizer: Record<string, unknown>; config: Record<string, unknown> } {
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[BYTE_TO_UNICODE[b]] = b;
  const t = new ByteTokenizer();
  BYTE_SPECIAL_TOKENS.forEach((s, i) => { vocab[s] = 256 + i; });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    tokenizer: {
      version: '1.0', truncation: null, padding: null,
      added_tokens: BYTE_SPECIAL_TOKENS.map((content, i) => ({ id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null, pre_tokenizer: byteLevel, post_processor: null, decoder: byteLevel,
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [] },
    },
    config: {
      tokenizer_class: 'PreTrainedTokenizerFast', bos_token: t.bosToken, eos_token: t.eosToken, pad_token: BYTE_SPECIAL_TOKENS[0],
      additional_special_tokens: BYTE_SPECIAL_TOKENS.filter((s) => s !== t.bosToken && s !== t.eosToken && s !== BYTE_SPECIAL_TOKENS[0]),
      clean_up_tokenization_spaces: false, model_max_length: 1_000_000,
    },
  };
}

/** GPT-2's byte → printable character table. */
const BYTE_TO_UNICODE: string[] = (() => {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
  return out;
})();
