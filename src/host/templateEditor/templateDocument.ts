// A template document as the editor sees it: a `.jinja` file is its own text; in a tokenizer_config.json only the
// `chat_template` value is the template, and an edit rewrites that value alone (the core's writer), leaving the
// rest of the file byte for byte.
import { basename } from 'node:path';
import { parseTemplateFile, selectTemplate, TemplateError, updateTemplateFile } from '../../core/template/index';
import type { TemplateSourceKind } from '../../shared/protocol/templateEditor';

/** A tokenizer config is edited as such by its name; everything else is Jinja. */
export function templateKindOf(fileName: string, untitled: boolean): TemplateSourceKind {
  if (/\.json$/i.test(fileName)) return 'tokenizer-config';
  return untitled ? 'untitled' : 'jinja';
}

export type ExtractResult = { ok: true; source: string } | { ok: false; message: string };

/** The template held by a document's text; a config that cannot be read says where (file:line:column). */
export function extractTemplate(fileName: string, text: string): ExtractResult {
  if (!/\.json$/i.test(fileName)) return { ok: true, source: text };
  try {
    return { ok: true, source: selectTemplate(parseTemplateFile(basename(fileName), text)).source };
  } catch (e) {
    if (e instanceof TemplateError) return { ok: false, message: e.message };
    throw e;
  }
}

/** The document's whole new text with the template replaced by `source`. Throws TemplateError on a broken config. */
export function documentTextWith(fileName: string, text: string, source: string): string {
  if (!/\.json$/i.test(fileName)) return source;
  return updateTemplateFile(basename(fileName), text, source);
}
