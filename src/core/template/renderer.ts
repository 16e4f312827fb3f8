// Records to renderings: picks the template that fits the record, renders it as apply_chat_template does, and
// derives the trained spans (generation blocks when the template has them, else the responses plus the
// end-of-turn markers right after them; see spans.ts). Pure and synchronous, fast enough for a keystroke preview.
import { compileTemplate, type CompiledTemplate, type TemplateKind } from './compile';
import { RenderError, TemplateError } from './errors';
import { getPreset, type PresetName } from './presets/index';
import type { TemplateSet } from './presets/types';
import { chatJob, plan, type Context, type Job } from './layout';
import { readPreference, readRecord, type RecordFormat, type RecordInput } from './records';
import { markContent } from './sentinels';
import { extendOverEndMarkers, extractGenerations, KNOWN_END_MARKERS, locateResponses, mergeSpans, type Span } from './spans';
import type { RecordRenderer, Rendering } from './types';

export interface RendererSpec {
  /** A built-in template; the default is `byte-level` when no `template` is given. */
  preset?: PresetName;
  /** Jinja source(s). A single string is a chat, instruction or completion template by the variables it reads. */
  template?: string | TemplateSet;
  /** The template's file, for error messages (`chat_template.jinja:3:7: …`). */
  templateName?: string;
  /** `bos_token` / `eos_token` as the template sees them; by default the preset's. Pass the tokenizer's. */
  bosToken?: string;
  eosToken?: string;
  /** More end-of-turn strings to train on right after a response (besides EOS and the common ones). */
  endMarkers?: string[];
}

export interface ResponsePlacement {
  /** The record field holding the response, e.g. `output` or `messages[3].content`. */
  field: string;
  /** Where its text landed in `text`; absent when the template transformed it beyond recognition. */
  span?: Span;
}

export interface DetailedRendering extends Rendering {
  format: RecordFormat;
  /** Which of the renderer's templates rendered the record. */
  kind: TemplateKind;
  templateName: string;
  /** How `trainSpans` were derived: the template's `{% generation %}` blocks, or the responses (+ end markers). */
  maskSource: 'generation' | 'response';
  responses: ResponsePlacement[];
  /** `searched` when the template transformed the responses and they were found by looking for their text,
   *  which can pick the wrong occurrence; `aligned` when their place is known exactly. */
  placement: 'aligned' | 'searched';
  /** Fields of assistant tool calls (`messages[2].tool_calls`): trained only inside a `{% generation %}` block. */
  toolCalls: string[];
}

export interface TemplateRenderer extends RecordRenderer {
  readonly bosToken: string;
  readonly eosToken: string;
  /** EOS, the extra end markers and the common ones, longest first: where a response ends. */
  readonly endMarkers: readonly string[];
  readonly templates: Readonly<Partial<Record<TemplateKind, CompiledTemplate>>>;
  renderDetailed(record: Record<string, unknown>): DetailedRendering;
  /** A preference record as the two completions it compares, each with its own mask. */
  renderPreference(record: Record<string, unknown>): { chosen: DetailedRendering; rejected: DetailedRendering };
}

/** Compiles the templates once (throws TemplateError), then renders any number of records. */
export function createRenderer(spec: RendererSpec = {}): TemplateRenderer {
  const preset = spec.template === undefined ? getPreset(spec.preset ?? 'byte-level') : spec.preset ? getPreset(spec.preset) : undefined;
  const name = spec.templateName ?? preset?.name ?? 'template';
  const templates: Partial<Record<TemplateKind, CompiledTemplate>> = {};
  if (typeof spec.template === 'string') {
    const t = compileTemplate(spec.template, name);
    templates[t.kind] = t;
  } else {
    const sources = spec.template ?? preset!.templates;
    for (const kind of ['chat', 'instruction', 'completion'] as const) {
      const src = sources[kind];
      if (src !== undefined) templates[kind] = compileTemplate(src, Object.keys(sources).length > 1 ? `${name} (${kind})` : name);
    }
  }
  if (!templates.chat && !templates.instruction && !templates.completion) throw new TemplateError('no template given', 1, 1, name);
  const bosToken = spec.bosToken ?? preset?.bosToken ?? '';
  const eosToken = spec.eosToken ?? preset?.eosToken ?? '';
  const endMarkers = [...new Set([eosToken, ...(spec.endMarkers ?? []), ...KNOWN_END_MARKERS])]
    .filter((m) => m.length > 0)
    .sort((a, b) => b.length - a.length);
  const ctx: Context = { templates, bosToken, eosToken, endMarkers };

  return {
    bosToken,
    eosToken,
    endMarkers,
    templates,
    render: (record) => {
      const d = renderInput(ctx, readRecord(record));
      return { text: d.text, trainSpans: d.trainSpans };
    },
    renderDetailed: (record) => renderInput(ctx, readRecord(record)),
    renderPrompt: (record) => renderPromptOf(ctx, readRecord(record, { responseOptional: true })),
    renderPreference: (record) => {
      const { chosen, rejected } = readPreference(record);
      return { chosen: renderInput(ctx, chosen, 'chosen'), rejected: renderInput(ctx, rejected, 'rejected') };
    },
  };
}

let cachedDefault: TemplateRenderer | undefined;

/** The built-in byte-level format, for the built-in tokenizer. */
export function defaultRenderer(): TemplateRenderer {
  return (cachedDefault ??= createRenderer({ preset: 'byte-level' }));
}

function run(job: Job, mark: (s: string) => string, addGenerationPrompt: boolean): string {
  try {
    return job.template.render(job.variables(mark, addGenerationPrompt));
  } catch (e) {
    if (e instanceof TemplateError) throw new RenderError(e.message, job.errorField, e);
    throw e;
  }
}

function renderInput(ctx: Context, input: RecordInput, responseField?: string): DetailedRendering {
  const job = plan(ctx, input, responseField);
  const plainRaw = run(job, (s) => s, false);
  let markedRaw: string | undefined;
  try {
    markedRaw = job.template.render(job.variables(markContent, false));
  } catch {
    // a template that inspects the response (e.g. splits it) may fail on the wrapped text: fall back to search
  }
  const { text, generations, map } = extractGenerations(plainRaw);
  const located = markedRaw === undefined ? undefined : locateResponses(markedRaw, plainRaw);
  const aligned = located !== undefined && located.length === job.responseTexts.length;
  const spans: Array<Span | undefined> = aligned
    ? located.map(([a, b]): Span => [map(a), map(b)])
    : searchResponses(text, job.responseTexts);
  const responses = job.responseFields.map((field, i): ResponsePlacement => (spans[i] ? { field, span: spans[i] } : { field }));
  let trainSpans: Span[];
  if (job.template.hasGeneration) trainSpans = mergeSpans(generations);
  else {
    const missing = responses.find((r) => !r.span);
    if (missing) {
      throw new RenderError(
        'the template changes this response, so its place in the rendering (the trained span) is unknown: mark it with {% generation %}…{% endgeneration %}',
        missing.field,
      );
    }
    trainSpans = mergeSpans(responses.map((r) => extendOverEndMarkers(text, r.span!, ctx.endMarkers)));
  }
  return {
    text,
    trainSpans,
    format: input.format,
    kind: job.template.kind,
    templateName: job.template.name,
    maskSource: job.template.hasGeneration ? 'generation' : 'response',
    responses,
    placement: aligned || job.responseTexts.length === 0 ? 'aligned' : 'searched',
    toolCalls: job.toolCallFields,
  };
}

/** Fallback placement: each response's trimmed text, in order, after the previous one. */
function searchResponses(text: string, responses: string[]): Array<Span | undefined> {
  let cursor = 0;
  return responses.map((r) => {
    const needle = r.trim();
    const at = text.indexOf(needle, cursor);
    if (at < 0 || needle.length === 0) return undefined;
    cursor = at + needle.length;
    return [at, at + needle.length];
  });
}

function renderPromptOf(ctx: Context, input: RecordInput): string {
  const job = plan(ctx, input);
  if (job.template.kind === 'chat' && job.promptMessages) {
    const extra = input.format === 'chat' ? input : {};
    const promptJob = chatJob(job.template, { bos_token: ctx.bosToken, eos_token: ctx.eosToken }, job.promptMessages, (i) => `messages[${i}].content`, extra);
    return extractGenerations(run(promptJob, (s) => s, true)).text;
  }
  const d = renderInput(ctx, input);
  const start = d.responses.at(-1)?.span?.[0];
  if (start === undefined) throw new RenderError('cannot tell where the response starts in this template', job.responseFields.at(-1));
  return d.text.slice(0, start);
}
