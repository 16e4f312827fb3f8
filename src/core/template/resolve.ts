// From a template reference (a run config's `template`, the CLI's --template) to a renderer spec, the same way
// everywhere. File access is passed in, so the extension can use the workspace file system and tests a map.
import { join, dirname } from 'node:path';
import { TemplateRefError } from './errors';
import { parseTemplateFile, parseTemplateRef, rendererSpecOf } from './files';
import { getPreset, PRESET_NAMES } from './presets/index';
import type { RendererSpec } from './renderer';

export interface TemplateFileAccess {
  /** The file's text, or undefined when there is no such file. */
  readText(path: string): string | undefined;
  isDirectory(path: string): boolean;
}

/** In a model folder transformers prefers chat_template.jinja over the config's chat_template; so do we. */
const MODEL_FILES = ['chat_template.jinja', 'tokenizer_config.json'];

/**
 * The spec for `ref`: a preset, a `.jinja`, a `tokenizer_config.json[#name]` or a model folder. A bare `.jinja`
 * takes its special tokens from a tokenizer_config.json beside it, else from `fallback` (the tokenizer's).
 * Throws TemplateRefError when nothing is there, TemplateError when the file is malformed.
 */
export function resolveTemplateRef(ref: string, files: TemplateFileAccess, fallback: { bosToken?: string; eosToken?: string } = {}): RendererSpec {
  const parsed = parseTemplateRef(ref);
  if ('preset' in parsed) return { preset: parsed.preset };
  let path = parsed.path;
  if (files.isDirectory(path)) {
    const found = MODEL_FILES.map((f) => join(path, f)).find((p) => files.readText(p) !== undefined);
    if (!found) throw new TemplateRefError(ref, 'the folder has neither chat_template.jinja nor tokenizer_config.json');
    path = found;
  }
  const text = files.readText(path);
  if (text === undefined) throw new TemplateRefError(ref, `no such file, and not a preset (presets: ${PRESET_NAMES.join(', ')})`);
  const spec = rendererSpecOf(parseTemplateFile(path, text), parsed.name);
  if (spec.bosToken === undefined && spec.eosToken === undefined) {
    const beside = join(dirname(path), 'tokenizer_config.json');
    const cfgText = beside !== path ? files.readText(beside) : undefined;
    const cfg = cfgText !== undefined ? parseTemplateFile(beside, cfgText) : undefined;
    spec.bosToken = cfg?.bosToken ?? fallback.bosToken;
    spec.eosToken = cfg?.eosToken ?? fallback.eosToken;
  }
  return spec;
}

/** The chat template `ref` stands for, to compare a rendering template with the model's own. */
export function resolveChatTemplateSource(ref: string, files: TemplateFileAccess): string {
  const spec = resolveTemplateRef(ref, files);
  if (spec.preset) {
    const chat = getPreset(spec.preset).templates.chat;
    if (chat === undefined) throw new TemplateRefError(ref, 'that preset has no chat template');
    return chat;
  }
  return spec.template as string;
}
