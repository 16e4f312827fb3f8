// A standard Hugging Face model folder from the engine's weights: config.json (the original model's, architecture
// fields from the engine config), model.safetensors with the names transformers expects (GPT-2 under
// `transformer.`), the tokenizer files as they came, and the chat template. Loads back here and in transformers.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors } from '../../core/safetensors';
import { hfTensorName } from '../../core/modelFolder/tensors';
import type { ModelConfig, NamedArrays } from '../engine/types';
import { writeFileAtomic, writeJsonAtomic } from '../atomicFile';
import { hfConfigJson } from './hfConfigJson';

export interface HfFolderContents {
  config: ModelConfig;
  params: NamedArrays;
  /** config.json of the model the weights came from: its other fields (token ids, transformers_version …) are kept. */
  baseConfig?: Record<string, unknown>;
  /** Files copied verbatim by name: tokenizer.json, tokenizer_config.json, special_tokens_map.json, generation_config.json … */
  files?: Record<string, string>;
  /** Written as chat_template.jinja (transformers reads it before tokenizer_config.json's chat_template). */
  chatTemplate?: string | null;
}

/** Writes the folder's files into `dir` (created if needed); returns the SHA-256 of each file by name. */
export function writeHfModelFolder(dir: string, c: HfFolderContents): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const hashes: Record<string, string> = {};
  const write = (name: string, bytes: Uint8Array | string) => {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    writeFileAtomic(join(dir, name), data);
    hashes[name] = createHash('sha256').update(data).digest('hex');
  };
  const renamed: NamedArrays = {};
  for (const [name, t] of Object.entries(c.params)) renamed[hfTensorName(c.config, name)] = t;
  write('model.safetensors', encodeSafetensors(renamed, { format: 'pt' }));
  writeJsonAtomic(join(dir, 'config.json'), hfConfigJson(c.config, c.baseConfig));
  for (const [name, text] of Object.entries(c.files ?? {})) {
    if (name.includes('/') || name.includes('\\') || name === 'config.json' || name === 'model.safetensors') throw new Error(`writeHfModelFolder: cannot copy a file named ${JSON.stringify(name)}`);
    write(name, text);
  }
  if (c.chatTemplate) write('chat_template.jinja', c.chatTemplate);
  return hashes;
}
