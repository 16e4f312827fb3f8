// Warnings about a rendering, as data: the editor's preview lists them, the CLI prints them, the trainer may
// refuse on them. Each names the rule broken and where, never just "looks wrong".
import type { Encoding, Tokenizer } from '../tokenizer/types';
import type { DetailedRendering, TemplateRenderer } from './renderer';
import { mergeSpans, type Span } from './spans';
import { trainedTokenMask } from './tokens';

export type TemplateWarningCode =
  | 'nothing-trained'
  | 'no-eos'
  | 'response-not-trained'
  | 'prompt-trained'
  | 'template-differs'
  | 'truncated-response'
  | 'unknown-special-token'
  | 'uncertain-mask';

export interface TemplateWarning {
  code: TemplateWarningCode;
  message: string;
  /** The part of the rendering concerned. */
  span?: Span;
  /** The record field concerned, e.g. `messages[3].content`. */
  field?: string;
}

export interface AnalyzeOptions {
  /** With `maxLength`, checks truncation; alone, checks that the markers the template writes are its special tokens. */
  tokenizer?: Tokenizer;
  /** Longest sequence the trainer keeps, in tokens. */
  maxLength?: number;
  /** The model's own chat template (its tokenizer_config.json), to warn when records are rendered differently. */
  modelTemplate?: string;
  /** `tokenizer.encode(text)` when the caller has it already (the preview tokenizes anyway). */
  encoding?: Encoding;
}

// Strings that look like special tokens of the common formats.
const MARKER_RE = /<\|[A-Za-z0-9_.-]{1,40}\|>|<\/?s>|<(?:bos|eos|pad|unk|start_of_turn|end_of_turn)>|\[\/?INST\]/g;

export function analyzeRendering(d: DetailedRendering, renderer: TemplateRenderer, options: AnalyzeOptions = {}): TemplateWarning[] {
  const warnings: TemplateWarning[] = [];
  const spans = d.trainSpans;
  const covered = (a: number, b: number) => spans.some(([s, e]) => s <= a && b <= e);
  const markerAt = (pos: number) => renderer.endMarkers.find((m) => d.text.startsWith(m, pos));

  if (spans.length === 0) {
    warnings.push({
      code: 'nothing-trained',
      message: d.responses.length ? 'nothing in this record is trained on: the template marks no trained span' : 'nothing in this record is trained on: it has no response',
    });
  }

  for (const r of d.responses) {
    if (!r.span) continue;
    const [a, b] = r.span;
    if (b > a && !covered(a, b)) {
      warnings.push({ code: 'response-not-trained', message: `the response is ${spans.some(([s, e]) => s < b && a < e) ? 'only partly' : 'not'} in the trained span`, span: r.span, field: r.field });
    }
    // The model learns to stop only if the marker after the response is trained.
    const end = spans.find(([s, e]) => s <= b && b <= e && e > s)?.[1];
    let pos = b;
    let trainedMarker = false;
    while (end !== undefined && pos < end) {
      const m = markerAt(pos);
      if (!m) break;
      trainedMarker = true;
      pos += m.length;
    }
    if (!trainedMarker && spans.length > 0) {
      const next = markerAt(b) ?? markerAt(b + (/^\s*/.exec(d.text.slice(b))![0].length));
      warnings.push({
        code: 'no-eos',
        message: next
          ? `the ${next} after the response is not trained: the model will not learn to stop`
          : `no EOS (${renderer.eosToken || 'none set'}) or end-of-turn token after the response: the model will not learn to stop`,
        span: [b, b],
        field: r.field,
      });
    }
  }

  if (d.maskSource === 'response' && d.placement === 'searched') {
    warnings.push({
      code: 'uncertain-mask',
      message: 'the template rewrites the responses, so they were found by searching for their text, which can match the wrong place: mark the trained span with {% generation %}…{% endgeneration %}',
    });
  }

  if (d.maskSource === 'response') {
    for (const field of d.toolCalls) {
      warnings.push({ code: 'response-not-trained', message: 'this tool call is not trained: only a {% generation %} block can mark where a template prints tool calls', field });
    }
  }

  const located = d.responses.filter((r) => r.span).map((r) => r.span!);
  if (located.length === d.responses.length) {
    for (const [s, e] of spans) {
      for (const [a, b] of gaps([s, e], located)) {
        const extra = stripMarkers(d.text.slice(a, b), renderer.endMarkers);
        if (extra.trim()) {
          warnings.push({ code: 'prompt-trained', message: `prompt text is trained on: ${JSON.stringify(clip(d.text.slice(a, b)))}`, span: [a, b] });
        }
      }
    }
  }

  if (options.modelTemplate !== undefined) {
    const mine = renderer.templates.chat?.source;
    if (mine === undefined) {
      warnings.push({ code: 'template-differs', message: `the model has its own chat template, but records are rendered with ${d.templateName}` });
    } else if (mine.trim() !== options.modelTemplate.trim()) {
      warnings.push({ code: 'template-differs', message: `${d.templateName} differs from the model's own chat template: it will be prompted differently at inference` });
    }
  }

  if (options.tokenizer) warnings.push(...tokenizerWarnings(d, options.tokenizer, options.maxLength, options.encoding));
  return warnings;
}

function tokenizerWarnings(d: DetailedRendering, tokenizer: Tokenizer, maxLength?: number, encoding?: Encoding): TemplateWarning[] {
  const warnings: TemplateWarning[] = [];
  const unknown = new Map<string, number>();
  for (const m of d.text.matchAll(MARKER_RE)) if (!tokenizer.specialTokens.has(m[0]) && !unknown.has(m[0])) unknown.set(m[0], m.index);
  for (const [marker, at] of unknown) {
    warnings.push({
      code: 'unknown-special-token',
      message: `${marker} is not a special token of the ${tokenizer.name} tokenizer: it is split into ${tokenizer.countTokens(marker)} ordinary tokens`,
      span: [at, at + marker.length],
    });
  }
  if (maxLength !== undefined) {
    const { offsets } = encoding ?? tokenizer.encode(d.text);
    if (offsets.length > maxLength) {
      const mask = trainedTokenMask(offsets, d.trainSpans);
      const lost = mask.slice(maxLength).filter(Boolean).length;
      const total = mask.filter(Boolean).length;
      if (lost > 0) {
        const cut = offsets[maxLength][0];
        warnings.push({
          code: 'truncated-response',
          message: lost === total
            ? `truncated at ${maxLength} tokens (of ${offsets.length}): the whole response is cut off, nothing is trained`
            : `truncated at ${maxLength} tokens (of ${offsets.length}): ${lost} of ${total} trained tokens are cut, the end of the response (and its EOS) is lost`,
          span: [cut, d.text.length],
        });
      }
    }
  }
  return warnings;
}

/** Parts of `span` outside all `holes`. */
function gaps(span: Span, holes: Span[]): Span[] {
  const out: Span[] = [];
  let pos = span[0];
  for (const [a, b] of mergeSpans(holes)) {
    if (b <= pos || a >= span[1]) continue;
    if (a > pos) out.push([pos, a]);
    pos = Math.max(pos, b);
  }
  if (pos < span[1]) out.push([pos, span[1]]);
  return out;
}

function stripMarkers(s: string, markers: readonly string[]): string {
  let out = s;
  for (const m of markers) out = out.split(m).join('');
  return out;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
