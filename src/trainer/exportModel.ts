// `export`: a checkpoint as files other tools load. A LoRA checkpoint becomes either a PEFT adapter folder
// (adapter_config.json + adapter_model.safetensors, inference mode, its base named by an absolute path) or, merged,
// a standard Hugging Face model folder with W0 + (alpha/r)·BA in the weights; a full checkpoint becomes the latter.
// A built-in base (this product's own config and byte-level tokenizer) is written as GPT-2 (`GPT2LMHeadModel`)
// with the byte-level tokenizer as a tokenizer.json that `tokenizers` reads to the same ids; an adapter export on
// such a base carries that HF base in base/, so `peft` in Python has a model to load it onto.
// Nothing is written over a non-empty folder unless `force` (and then only into it, never beside it).
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeSafetensors } from '../core/safetensors';
import { PRESETS } from '../core/template';
import { BYTE_SPECIAL_TOKENS } from '../core/tokenizer/byteTokenizer';
import { isLlama, type GptConfig, type ModelConfig, type NamedArrays } from './engine/types';
import { writeFileAtomic, writeJsonAtomic } from './atomicFile';
import { loadCheckpoint, type Checkpoint } from './checkpoint';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, adapterConfigJson } from './adapterCheckpoint';
import type { SavedTemplate } from './template';

export class ExportError extends Error {}

export interface ExportResult {
  kind: 'merged' | 'adapter' | 'model';
  /** Files written, relative to the output folder. */
  files: string[];
}

/** Refuses a non-empty output folder unless forced, and anything that is not a folder. */
export function prepareOutputFolder(out: string, force: boolean): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new ExportError(`${out}: exists and is not a folder`);
    if (readdirSync(out).length && !force) throw new ExportError(`${out}: is not empty; choose another folder or pass --force (nothing was written)`);
  }
  mkdirSync(out, { recursive: true });
}

export function exportCheckpoint(dir: string, out: string, options: { merge: boolean; force: boolean }): ExportResult {
  const ck = loadCheckpoint(dir, { withOptimizer: false });
  prepareOutputFolder(out, options.force);
  if (ck.adapter && !options.merge) {
    const files: string[] = [];
    let baseModel = ck.adapter.baseDir;
    if (!isHfFolderConfig(ck.adapter.base)) {
      // PEFT loads the base with transformers: a built-in base goes along as an HF folder.
      baseModel = resolve(out, 'base');
      files.push(...writeHfModelFolder(baseModel, ck.adapter.base).map((f) => `base/${f}`));
    }
    writeFileAtomic(join(out, ADAPTER_WEIGHTS), encodeSafetensors(ck.adapter.adapter.weights, { format: 'pt' }));
    writeJsonAtomic(join(out, ADAPTER_CONFIG), adapterConfigJson({ ...ck.adapter.settings, baseModel }, true));
    return { kind: 'adapter', files: [ADAPTER_CONFIG, ADAPTER_WEIGHTS, ...files] };
  }
  // loadCheckpoint already merged the adapters into `params` (W0 + (alpha/r)·BA).
  return { kind: ck.adapter ? 'merged' : 'model', files: writeHfModelFolder(out, ck) };
}

/** True when the checkpoint's weights came from a Hugging Face folder (not the built-in format). */
function isHfFolderConfig(ck: Checkpoint): boolean {
  return (ck as { source?: unknown }).source != null;
}

/**
 * A minimal Hugging Face model folder for the built-in GPT: config.json (gpt2), model.safetensors with
 * transformers' names, tokenizer.json / tokenizer_config.json / special_tokens_map.json, chat_template.jinja and
 * generation_config.json. The one place export writes model folders; hfload's writeHfModelFolder (src/trainer/hf/)
 * is meant to replace it once merged. Returns the files written.
 */
export function writeHfModelFolder(out: string, ck: Pick<Checkpoint, 'model' | 'params' | 'tokenizer' | 'template'>): string[] {
  if (isLlama(ck.model as ModelConfig)) throw new ExportError('writing Llama model folders needs the Hugging Face folder support (not in this build)');
  if (ck.tokenizer.name !== 'byte-level') throw new ExportError(`writing a model with the "${ck.tokenizer.name}" tokenizer needs the Hugging Face folder support (not in this build)`);
  mkdirSync(out, { recursive: true });
  const c = ck.model as GptConfig;
  const tied = c.tieEmbeddings ?? true;
  const tensors: NamedArrays = {};
  // transformers names GPT2LMHeadModel's blocks `transformer.*`; a tied lm_head is not stored (it is wte).
  for (const [name, t] of Object.entries(ck.params)) tensors[name === 'lm_head.weight' ? name : `transformer.${name}`] = t;
  writeFileAtomic(join(out, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
  const t = ck.tokenizer;
  writeJsonAtomic(join(out, 'config.json'), {
    architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', activation_function: 'gelu_new', vocab_size: c.vocabSize,
    n_positions: c.contextLength, n_ctx: c.contextLength, n_embd: c.dModel, n_layer: c.nLayers, n_head: c.nHeads, n_inner: c.dFF ?? 4 * c.dModel,
    layer_norm_epsilon: c.layerNormEps ?? 1e-5, tie_word_embeddings: tied, scale_attn_weights: true,
    resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0, bos_token_id: t.bosId ?? null, eos_token_id: t.eosId, pad_token_id: t.padId, torch_dtype: 'float32',
  });
  writeJsonAtomic(join(out, 'generation_config.json'), { bos_token_id: t.bosId ?? null, eos_token_id: t.eosId, pad_token_id: t.padId });
  writeJsonAtomic(join(out, 'tokenizer.json'), byteLevelTokenizerJson());
  const chatTemplate = chatTemplateOf(ck.template ?? null);
  const special = { bos_token: t.bosToken ?? null, eos_token: t.eosToken, pad_token: BYTE_SPECIAL_TOKENS[0] };
  writeJsonAtomic(join(out, 'tokenizer_config.json'), {
    tokenizer_class: 'PreTrainedTokenizerFast', model_max_length: c.contextLength, ...special, clean_up_tokenization_spaces: false,
    ...(chatTemplate ? { chat_template: chatTemplate } : {}),
  });
  writeJsonAtomic(join(out, 'special_tokens_map.json'), special);
  const files = ['model.safetensors', 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];
  if (chatTemplate) {
    writeFileAtomic(join(out, 'chat_template.jinja'), chatTemplate);
    files.push('chat_template.jinja');
  }
  return files;
}

/** The chat template a run rendered with (its chat form), or the byte-level preset's, which is the default. */
export function chatTemplateOf(saved: SavedTemplate | null): string | null {
  const spec = saved?.spec ?? { preset: 'byte-level' as const };
  if (typeof spec.template === 'string') return spec.template;
  if (spec.template) return spec.template.chat ?? null;
  return PRESETS[spec.preset ?? 'byte-level'].templates.chat ?? null;
}

/**
 * The built-in byte-level tokenizer as a `tokenizers` tokenizer.json: byte-level pre-tokenization without the
 * GPT-2 regex, a BPE model whose vocabulary is the 256 byte symbols in byte order and no merges (so id = byte),
 * and the special tokens as added tokens with their ids.
 */
export function byteLevelTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  byteSymbols().forEach((ch, b) => { vocab[ch] = b; });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BYTE_SPECIAL_TOKENS.map((content, i) => ({ id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [] },
  };
}

/** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others are shifted past 255. */
function byteSymbols(): string[] {
  const out: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    out[b] = String.fromCodePoint(printable ? b : 256 + n++);
  }
  return out;
}
