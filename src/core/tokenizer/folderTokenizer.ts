// The tokenizer a model folder ships: the built-in byte-level one (this product's checkpoints) or a Hugging Face
// tokenizer.json with the special tokens of tokenizer_config.json (EOS/BOS/PAD ids from generation_config.json or
// config.json when the tokenizer config does not name them). For the template preview, render and the trainer alike.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteTokenizer } from './byteTokenizer';
import { HfTokenizer, HfTokenizerError } from './hfTokenizer';
import type { Tokenizer } from './types';

/** The folder's tokenizer, or null when it has no tokenizer.json. Throws HfTokenizerError naming the file. */
export function loadFolderTokenizer(dir: string): Tokenizer | null {
  const json = (name: string): Record<string, unknown> | null => {
    const path = join(dir, name);
    if (!existsSync(path)) return null;
    try {
      const v = JSON.parse(readFileSync(path, 'utf8'));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
      return v;
    } catch (e) {
      throw new HfTokenizerError(`${path}: ${(e as Error).message}`);
    }
  };
  const tokenizer = json('tokenizer.json');
  if (!tokenizer) return null;
  if (tokenizer.type === 'byte-level') return new ByteTokenizer();
  const firstId = (v: unknown) => (Array.isArray(v) ? v.find((x) => Number.isInteger(x)) : Number.isInteger(v) ? v : undefined) as number | undefined;
  const gen = json('generation_config.json') ?? {};
  const cfg = json('config.json') ?? {};
  return new HfTokenizer({
    tokenizer,
    config: json('tokenizer_config.json'),
    eosTokenId: firstId(gen.eos_token_id) ?? firstId(cfg.eos_token_id),
    bosTokenId: firstId(gen.bos_token_id) ?? firstId(cfg.bos_token_id),
    padTokenId: firstId(gen.pad_token_id) ?? firstId(cfg.pad_token_id),
  }, join(dir, 'tokenizer.json'));
}
