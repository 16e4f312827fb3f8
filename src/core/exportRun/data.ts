// The data an export carries, so DIR is self-contained: the records the local run trained on (invalid lines,
// rejected reviews and tie/both-bad pairs left out, as the trainer leaves them out) copied line for line, and the
// same records rendered through the run's template (prompt / completion, or prompt / chosen / rejected) so a
// cluster trains on exactly the text and the trained spans the local run did.
import { readFileSync } from 'node:fs';
import { loadDatasetFile } from '../dataset/index';
import type { DatasetFormat } from '../dataset/types';
import { readReview } from '../annotate/review';
import { createRenderer, type RendererSpec, type TemplateRenderer } from '../template/index';
import { ExportError } from './source';

export interface PreparedFile {
  /** The source file on this machine. */
  source: string;
  format: DatasetFormat;
  /** The kept records as they are written in the source (one JSON line each). */
  records: string[];
  /** Rendered examples: one per trained span for SFT, one per pair for DPO. */
  rendered: Array<{ prompt: string; completion: string } | { prompt: string; chosen: string; rejected: string }>;
  skipped: { invalid: number; rejected: number; tiedOrBothBad: number; unrenderable: number; firstRenderError?: string };
}

export async function prepareDataFile(file: string, spec: RendererSpec, stage: 'sft' | 'dpo'): Promise<PreparedFile> {
  let loaded;
  try {
    loaded = await loadDatasetFile(file, { nearDuplicates: false });
  } catch (e) {
    throw new ExportError(`${file}: ${(e as Error).message}`);
  }
  const format = loaded.result.format;
  if (format === 'unknown') throw new ExportError(`${file}: no record is in a known format (alpaca, chat, prompt/completion, preference)`);
  if (stage === 'dpo' && format !== 'preference') throw new ExportError(`${file}: a DPO run needs preference records (prompt, chosen, rejected), this file is ${format}`);
  if (stage === 'sft' && format === 'preference') throw new ExportError(`${file}: preference records train with DPO; this run is SFT`);
  const lines = /\.json$/i.test(file) ? null : readFileSync(file, 'utf8').split('\n');
  const renderer = createRenderer(spec);
  const out: PreparedFile = { source: file, format, records: [], rendered: [], skipped: { invalid: 0, rejected: 0, tiedOrBothBad: 0, unrenderable: 0 } };
  for (const rec of loaded.records) {
    if ((loaded.problemsByLine.get(rec.line) ?? []).some((p) => p.severity === 'error')) { out.skipped.invalid++; continue; }
    const { review } = readReview(rec.value);
    if (review.status === 'rejected') { out.skipped.rejected++; continue; }
    if (format === 'preference' && (review.mark === 'tie' || review.mark === 'both-bad')) { out.skipped.tiedOrBothBad++; continue; }
    let rendered: PreparedFile['rendered'];
    try {
      rendered = format === 'preference' ? [renderPair(renderer, rec.value)] : renderSft(renderer, rec.value);
    } catch (e) {
      out.skipped.unrenderable++;
      out.skipped.firstRenderError ??= `line ${rec.line}: ${(e as Error).message}`;
      continue;
    }
    out.records.push(lines ? lines[rec.line - 1].replace(/\r$/, '') : JSON.stringify(rec.value));
    out.rendered.push(...rendered);
  }
  if (!out.records.length) throw new ExportError(`${file}: no record is left to train on (${describeSkipped(out.skipped)})`);
  return out;
}

/** Each trained span becomes one prompt/completion example with everything before it as the prompt. */
function renderSft(renderer: TemplateRenderer, record: Record<string, unknown>): Array<{ prompt: string; completion: string }> {
  const r = renderer.render(record);
  if (!r.trainSpans.length) throw new Error('the rendering has no trained span');
  return r.trainSpans.map(([start, end]) => ({ prompt: r.text.slice(0, start), completion: r.text.slice(start, end) }));
}

/** A pair as one shared prompt and the two completions, cut where the chosen rendering's trained text starts. */
function renderPair(renderer: TemplateRenderer, record: Record<string, unknown>): { prompt: string; chosen: string; rejected: string } {
  // A conversation prompt with plain-text answers: each answer is the assistant's next turn.
  const asTurn = (v: unknown) => (Array.isArray(record.prompt) && typeof v === 'string' ? [{ role: 'assistant', content: v }] : v);
  const { chosen, rejected } = renderer.renderPreference({ ...record, chosen: asTurn(record.chosen), rejected: asTurn(record.rejected) });
  const c = chosen.trainSpans[0];
  const r = rejected.trainSpans[0];
  if (!c || !r) throw new Error('a completion has no trained span');
  const prompt = chosen.text.slice(0, c[0]);
  if (rejected.text.slice(0, r[0]) !== prompt) throw new Error('chosen and rejected render different prompts');
  return { prompt, chosen: chosen.text.slice(c[0]), rejected: rejected.text.slice(r[0]) };
}

export function describeSkipped(s: PreparedFile['skipped']): string {
  const parts = [
    s.invalid && `${s.invalid} invalid`,
    s.rejected && `${s.rejected} rejected in review`,
    s.tiedOrBothBad && `${s.tiedOrBothBad} marked tie or both-bad`,
    s.unrenderable && `${s.unrenderable} the template cannot render${s.firstRenderError ? ` (first: ${s.firstRenderError})` : ''}`,
  ].filter(Boolean);
  return parts.length ? `left out: ${parts.join(', ')}` : 'nothing left out';
}
