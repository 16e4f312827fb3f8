// A Hugging Face model folder, loaded: engine config, float32 weights, tokenizer, the chat template it ships
// (the default rendering for training and generation from it), generation defaults, and the files a checkpoint of a
// run from it copies so that the checkpoint is an HF folder too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeModelFolder } from '../../core/modelFolder/describe';
import type { ModelFolderInfo } from '../../core/modelFolder/types';
import { HfTokenizer } from '../../core/tokenizer/hfTokenizer';
import { loadFolderTokenizer } from '../../core/tokenizer/folderTokenizer';
import type { ModelConfig, NamedArrays } from '../engine/types';
import type { SavedTemplate } from '../template';
import { loadHfWeights } from './weights';

export class HfModelError extends Error {}

/** What a checkpoint of a run from this model carries over: the original config.json and the tokenizer files. */
export interface HfSource {
  config: Record<string, unknown>;
  /** Copied verbatim by name. */
  files: Record<string, string>;
}

export interface LoadedHfFolder {
  info: ModelFolderInfo;
  config: ModelConfig;
  params: NamedArrays;
  tokenizer: HfTokenizer;
  source: HfSource;
  template: SavedTemplate;
  generationConfig: Record<string, unknown> | null;
}

export const COPIED_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'chat_template.jinja', 'chat_template.json'];

/** Describes the folder and refuses it with every problem (file: field: message) before reading any weight. */
export function checkedDescription(dir: string): ModelFolderInfo {
  const info = describeModelFolder(dir);
  if (info.problems.length || !info.config) {
    const lines = info.problems.map((p) => `${join(info.dir, p.file)}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
    throw new HfModelError(lines.length ? lines.join('\n') : `${join(info.dir, 'config.json')}: no supported model configuration`);
  }
  return info;
}

export function loadHfModelFolder(dir: string): LoadedHfFolder {
  const info = checkedDescription(dir);
  if (info.adapter) throw new HfModelError(`${info.dir}: a PEFT adapter folder, not a model (load its base model ${info.adapter.baseModel ?? '(unnamed)'} instead)`);
  const config = info.config!;
  const params = loadHfWeights(info.dir, info.weightFiles, config);
  const files: Record<string, string> = {};
  for (const f of COPIED_FILES) if (existsSync(join(info.dir, f))) files[f] = readFileSync(join(info.dir, f), 'utf8');
  const configJson = JSON.parse(readFileSync(join(info.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  let tokenizer;
  try {
    tokenizer = loadFolderTokenizer(info.dir);
  } catch (e) {
    throw new HfModelError((e as Error).message);
  }
  if (!(tokenizer instanceof HfTokenizer)) throw new HfModelError(`${join(info.dir, 'tokenizer.json')}: not a Hugging Face tokenizer.json`);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new HfModelError(`${join(info.dir, 'tokenizer.json')}: the tokenizer has ${tokenizer.vocabSize} ids but config.json vocab_size is ${config.vocabSize}`);
  }
  // The folder's chat template; a model without one (a base GPT-2) renders with the default preset, but with the
  // model's own BOS/EOS, so that the EOS trained and stopped at is the tokenizer's, not the preset's marker text.
  const template: SavedTemplate = info.chatTemplate === null
    ? { ref: 'byte-level', spec: { preset: 'byte-level', bosToken: tokenizer.bosToken ?? '', eosToken: tokenizer.eosToken } }
    : {
      ref: info.dir,
      spec: {
        template: info.chatTemplate,
        templateName: existsSync(join(info.dir, 'chat_template.jinja')) ? join(info.dir, 'chat_template.jinja') : `${join(info.dir, 'tokenizer_config.json')}[chat_template]`,
        bosToken: tokenizer.bosToken,
        eosToken: tokenizer.eosToken,
      },
    };
  return { info, config, params, tokenizer, source: { config: configJson, files }, template, generationConfig: info.generationConfig };
}
