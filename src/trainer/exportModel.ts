// `export`: a checkpoint as files other tools load. A LoRA checkpoint becomes either a PEFT adapter folder
// (adapter_config.json + adapter_model.safetensors, inference mode, its base named by an absolute path) or, merged,
// a standard Hugging Face model folder with W0 + (alpha/r)·BA in the weights; a full checkpoint becomes the latter.
// A model from a Hugging Face folder keeps its config and tokenizer; a built-in base (this product's own config and
// byte-level tokenizer) is written as GPT-2 with an equivalent tokenizer.json; an adapter export on such a base
// carries that HF base in base/, so `peft` in Python has a model to load it onto.
// Nothing is written over a non-empty folder unless `force` (and then only into it, never beside it).
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeSafetensors } from '../core/safetensors';
import { PRESETS } from '../core/template';
import { BYTE_SPECIAL_TOKENS } from '../core/tokenizer/byteTokenizer';
import { byteTokenizerHfFiles } from '../core/tokenizer/byteTokenizerHf';
import { isLlama } from './engine/types';
import { writeFileAtomic, writeJsonAtomic } from './atomicFile';
import { loadCheckpoint, runChatTemplate, type Checkpoint } from './checkpoint';
import { writeHfModelFolder } from './hf/writeFolder';
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
    if (!ck.adapter.base.source) {
      // PEFT loads the base with transformers: a built-in base goes along as an HF folder.
      baseModel = resolve(out, 'base');
      files.push(...writeExportFolder(baseModel, ck.adapter.base).map((f) => `base/${f}`));
    }
    writeFileAtomic(join(out, ADAPTER_WEIGHTS), encodeSafetensors(ck.adapter.adapter.weights, { format: 'pt' }));
    writeJsonAtomic(join(out, ADAPTER_CONFIG), adapterConfigJson({ ...ck.adapter.settings, baseModel }, true));
    // The run's template, which may differ from the base's: loading the adapter folder here renders as trained.
    if (ck.template) {
      writeJsonAtomic(join(out, 'template.json'), ck.template);
      files.unshift('template.json');
    }
    return { kind: 'adapter', files: [ADAPTER_CONFIG, ADAPTER_WEIGHTS, ...files] };
  }
  // loadCheckpoint already merged the adapters into `params` (W0 + (alpha/r)·BA); their base may be a Hugging Face
  // folder, whose config and tokenizer the merged folder keeps.
  const source = ck.source ?? ck.adapter?.base.source ?? null;
  return { kind: ck.adapter ? 'merged' : 'model', files: writeExportFolder(out, { ...ck, source }) };
}

/**
 * The checkpoint as a standard Hugging Face model folder, through the one folder writer (src/trainer/hf/). A model
 * that came from a Hugging Face folder keeps that folder's config.json fields and tokenizer files, with the run's
 * chat template; the built-in GPT becomes GPT-2 (`GPT2LMHeadModel`) with the byte-level tokenizer as a tokenizer.json
 * that `tokenizers` reads to the same ids. Returns the files written.
 */
export function writeExportFolder(out: string, ck: Pick<Checkpoint, 'model' | 'params' | 'tokenizer' | 'template' | 'source'>): string[] {
  // chat_template.jinja holds only the chat form; a run on instruction or completion records may have rendered them
  // through other forms (alpaca's "### Instruction:"; the byte-level preset's instruction form renders the same turns
  // as its chat form, so such a model answers through the exported chat template). template.json keeps the whole
  // template the run used, so this product renders the exported model's prompts exactly as it was trained
  // (transformers ignores the file).
  // A built-in model's checkpoint without template.json was rendered with the default, the byte-level preset.
  const saved: SavedTemplate | null = ck.template ?? (ck.source ? null : { ref: 'byte-level', spec: { preset: 'byte-level' } });
  const written = (hashes: Record<string, string>) => {
    if (!saved) return ['config.json', ...Object.keys(hashes)];
    writeJsonAtomic(join(out, 'template.json'), saved);
    return ['config.json', ...Object.keys(hashes), 'template.json'];
  };
  if (ck.source) {
    const chatTemplate = runChatTemplate(ck.template, ck.source);
    return written(writeHfModelFolder(out, { config: ck.model, params: ck.params, baseConfig: ck.source.config, files: ck.source.files, chatTemplate }));
  }
  if (isLlama(ck.model)) throw new ExportError('a Llama checkpoint without its Hugging Face source folder cannot be exported (its config.json and tokenizer are unknown)');
  if (ck.tokenizer.name !== 'byte-level') throw new ExportError(`a checkpoint with the "${ck.tokenizer.name}" tokenizer and no Hugging Face source folder cannot be exported`);
  const t = ck.tokenizer;
  const ids = { bos_token_id: t.bosId ?? null, eos_token_id: t.eosId, pad_token_id: t.padId };
  const special = { bos_token: t.bosToken ?? null, eos_token: t.eosToken, pad_token: BYTE_SPECIAL_TOKENS[0] };
  const chatTemplate = chatTemplateOf(ck.template ?? null);
  const byteFiles = byteTokenizerHfFiles();
  // transformers reads chat_template.jinja first; tokenizer_config.json carries it too for older versions.
  const tokenizerConfig = { ...byteFiles.config, ...special, model_max_length: ck.model.contextLength, ...(chatTemplate ? { chat_template: chatTemplate } : {}) };
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return written(writeHfModelFolder(out, {
    config: ck.model, params: ck.params, chatTemplate,
    // What the engine config does not say: GPT-2's fields transformers reads, no dropout, the special token ids.
    baseConfig: { n_ctx: ck.model.contextLength, scale_attn_weights: true, resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0, ...ids },
    files: {
      'generation_config.json': json(ids),
      'tokenizer.json': json(byteFiles.tokenizer),
      'tokenizer_config.json': json(tokenizerConfig),
      'special_tokens_map.json': json(special),
    },
  }));
}

/** The chat template a run rendered with (its chat form), or the byte-level preset's, which is the default. */
export function chatTemplateOf(saved: SavedTemplate | null): string | null {
  const spec = saved?.spec ?? { preset: 'byte-level' as const };
  if (typeof spec.template === 'string') return spec.template;
  if (spec.template) return spec.template.chat ?? null;
  return PRESETS[spec.preset ?? 'byte-level'].templates.chat ?? null;
}
