// The template editor's live preview in one call that never throws: the editor sends the template text and a
// record on every keystroke and gets back either the rendering with its tokens and warnings, or the error with
// the place to mark. Compiling is cached on the template text, so stepping through records costs only a render.
import type { Tokenizer } from '../tokenizer/types';
import { analyzeRendering, type TemplateWarning } from './analysis';
import type { TemplateKind } from './compile';
import { RenderError, TemplateError } from './errors';
import { createRenderer, type DetailedRendering, type TemplateRenderer } from './renderer';
import { tokenView, type TokenView } from './tokens';

export interface PreviewRequest {
  /** The Jinja source being edited. */
  source: string;
  /** Its file, for messages. */
  templateName?: string;
  record: Record<string, unknown>;
  bosToken?: string;
  eosToken?: string;
  tokenizer?: Tokenizer;
  maxLength?: number;
  modelTemplate?: string;
}

export type PreviewResult =
  | {
      ok: true;
      kind: TemplateKind;
      rendering: DetailedRendering;
      /** Present when a tokenizer was given. */
      tokens?: TokenView[];
      trainedTokens?: number;
      warnings: TemplateWarning[];
    }
  /** The template does not compile, or failed while rendering (raise_exception included): mark line/column. */
  | { ok: false; stage: 'template'; message: string; line: number; column: number; field?: string }
  /** The record does not fit (a missing field, a wrong type): show it on the record. */
  | { ok: false; stage: 'record'; message: string; field?: string };

export interface Previewer {
  preview(request: PreviewRequest): PreviewResult;
}

export function createPreviewer(): Previewer {
  let cacheKey: string | undefined;
  let cached: TemplateRenderer | TemplateError | undefined;
  return {
    preview(req) {
      const key = JSON.stringify([req.source, req.templateName, req.bosToken, req.eosToken]);
      if (key !== cacheKey) {
        cacheKey = key;
        try {
          cached = createRenderer({ template: req.source, templateName: req.templateName, bosToken: req.bosToken, eosToken: req.eosToken });
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
          cached = e;
        }
      }
      if (cached instanceof TemplateError) return templateFailure(cached);
      const renderer = cached!;
      let rendering: DetailedRendering;
      try {
        rendering = renderer.renderDetailed(req.record);
      } catch (e) {
        if (!(e instanceof RenderError)) throw e;
        if (e.templateError) return templateFailure(e.templateError, e.field);
        return { ok: false, stage: 'record', message: e.message, ...(e.field ? { field: e.field } : {}) };
      }
      const encoding = req.tokenizer?.encode(rendering.text);
      const warnings = analyzeRendering(rendering, renderer, {
        tokenizer: req.tokenizer, maxLength: req.maxLength, modelTemplate: req.modelTemplate, encoding,
      });
      if (!req.tokenizer) return { ok: true, kind: rendering.kind, rendering, warnings };
      const tokens = tokenView(rendering, req.tokenizer, encoding);
      return { ok: true, kind: rendering.kind, rendering, tokens, trainedTokens: tokens.filter((t) => t.trained).length, warnings };
    },
  };
}

function templateFailure(e: TemplateError, field?: string): PreviewResult {
  return { ok: false, stage: 'template', message: e.reason, line: e.line, column: e.column, ...(field ? { field } : {}) };
}

/** What a template can use, for completion in the editor. */
export const TEMPLATE_VARIABLES: Readonly<Record<TemplateKind, ReadonlyArray<{ name: string; detail: string }>>> = {
  chat: [
    { name: 'messages', detail: 'the conversation: a list of {role, content[, tool_calls]}' },
    { name: 'add_generation_prompt', detail: 'true when rendering a prompt for generation: open an assistant turn' },
    { name: 'bos_token', detail: "the model's beginning-of-sequence token" },
    { name: 'eos_token', detail: "the model's end-of-sequence token" },
    { name: 'raise_exception', detail: 'raise_exception(message): refuse a record with a message' },
  ],
  instruction: [
    { name: 'instruction', detail: 'the task (alpaca `instruction`, or a chat\'s user message)' },
    { name: 'input', detail: 'optional context (alpaca `input`; empty when absent)' },
    { name: 'output', detail: 'the response: trained on, with what follows it up to the EOS' },
    { name: 'system', detail: 'a system prompt, when the record has one (else empty)' },
    { name: 'bos_token', detail: "the model's beginning-of-sequence token" },
    { name: 'eos_token', detail: "the model's end-of-sequence token" },
    { name: 'raise_exception', detail: 'raise_exception(message): refuse a record with a message' },
  ],
  completion: [
    { name: 'prompt', detail: 'the prompt text' },
    { name: 'completion', detail: 'the completion: trained on, with what follows it up to the EOS' },
    { name: 'bos_token', detail: "the model's beginning-of-sequence token" },
    { name: 'eos_token', detail: "the model's end-of-sequence token" },
    { name: 'raise_exception', detail: 'raise_exception(message): refuse a record with a message' },
  ],
};
