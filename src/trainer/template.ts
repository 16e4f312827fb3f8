// The template a run renders with: resolved once from the request (a preset name or an absolute path), saved with
// every checkpoint so that resuming, generate and eval render exactly as training did.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRenderer, defaultRenderer, isPresetName, resolveTemplateRef, type RecordRenderer, type RendererSpec, type TemplateFileAccess } from '../core/template';
import type { Tokenizer } from '../core/tokenizer/types';

/** What a checkpoint records: the reference as given, and the spec it resolved to (template source included). */
export interface SavedTemplate {
  ref: string;
  spec: RendererSpec;
}

/** Template files on disk, relative paths taken from `cwd`. */
export function nodeTemplateFiles(cwd = process.cwd()): TemplateFileAccess {
  return {
    readText: (p) => {
      const full = resolve(cwd, p);
      return existsSync(full) && !statSync(full).isDirectory() ? readFileSync(full, 'utf8') : undefined;
    },
    isDirectory: (p) => {
      const full = resolve(cwd, p);
      return existsSync(full) && statSync(full).isDirectory();
    },
  };
}

/** Resolves `ref` against the disk; throws the core's TemplateRefError / TemplateError, which name the file. */
export function resolveSavedTemplate(ref: string, tokenizer: Pick<Tokenizer, 'eosToken' | 'bosToken'>, cwd?: string): SavedTemplate {
  const spec = resolveTemplateRef(ref, nodeTemplateFiles(cwd), { bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken });
  // Compile now so a template with a syntax error fails before any data is read.
  createRenderer(spec);
  return { ref, spec };
}

/** A preset name stays as it is; anything else is a path, made absolute from `base` (`file.json#name` keeps its name). */
export function absoluteTemplateRef(ref: string, base: string): string {
  if (isPresetName(ref)) return ref;
  const hash = ref.lastIndexOf('#');
  if (hash > 0 && /\.json$/i.test(ref.slice(0, hash))) return `${resolve(base, ref.slice(0, hash))}${ref.slice(hash)}`;
  return resolve(base, ref);
}

export function rendererOf(saved: SavedTemplate | null | undefined): RecordRenderer {
  return saved ? createRenderer(saved.spec) : defaultRenderer();
}
