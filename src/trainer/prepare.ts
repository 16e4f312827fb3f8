// Dataset file → training examples and eval items. Validation problems refuse the file (or, with skipInvalid, drop
// the records that have them, counted); rejected reviews are left out unless asked; every record is rendered by
// the template and tokenized with its loss mask. Errors name the file, line and field.
import { isUsedForTraining } from '../core/annotate/review';
import { loadDatasetFile, type Problem } from '../core/dataset';
import type { RecordRenderer } from '../core/template/types';
import type { Tokenizer } from '../core/tokenizer/types';
import { Rng } from './rng';
import { tokenizeExample, type Example } from './data';

export class DataError extends Error {
  constructor(message: string, readonly problems: Problem[] = []) {
    super(message);
  }
}

export interface Item {
  example: Example;
  record: Record<string, unknown>;
  file: string;
  line: number;
  task: string;
  /** Eval records flagged `unseen: true` carry instructions never seen in training (paraphrases). */
  unseen: boolean;
}

export interface LoadedRecords {
  items: Item[];
  skippedInvalid: number;
  excludedRejected: number;
  truncated: number;
  /** Records whose response starts beyond the context: nothing to train on, left out. */
  tooLong: number;
}

export interface LoadOptions {
  skipInvalid: boolean;
  includeRejected: boolean;
  /** Context length + 1: longer renderings are cut (and counted). */
  maxTokens: number;
}

export const NO_TASK = 'default';

export function taskOf(record: Record<string, unknown>): string {
  const t = record.task ?? record.category;
  return typeof t === 'string' && t.trim() ? t.trim() : NO_TASK;
}

export async function loadRecords(file: string, tokenizer: Tokenizer, renderer: RecordRenderer, opts: LoadOptions): Promise<LoadedRecords> {
  const { records, result } = await loadDatasetFile(file, { nearDuplicates: false });
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length && !opts.skipInvalid) {
    const shown = errors.slice(0, 20).map((p) => `  ${file}:${p.line}:${p.column}: ${p.message}${p.field ? ` (field ${p.field})` : ''} [${p.code}]`);
    const more = errors.length > shown.length ? `\n  … and ${errors.length - shown.length} more` : '';
    throw new DataError(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}; fix them or pass --skip-invalid:\n${shown.join('\n')}${more}`, errors);
  }
  const badLines = new Set(errors.map((p) => p.line));
  const out: LoadedRecords = { items: [], skippedInvalid: badLines.size, excludedRejected: 0, truncated: 0, tooLong: 0 };
  for (const r of records) {
    if (badLines.has(r.line)) continue;
    if (!isUsedForTraining(r.value, { includeRejected: opts.includeRejected })) {
      out.excludedRejected++;
      continue;
    }
    let rendering;
    try {
      rendering = renderer.render(r.value);
    } catch (e) {
      const field = (e as { field?: string }).field;
      if (opts.skipInvalid) {
        out.skippedInvalid++;
        continue;
      }
      throw new DataError(`${file}:${r.line}: cannot render the record${field ? ` (field ${field})` : ''}: ${(e as Error).message}`);
    }
    const task = taskOf(r.value);
    const { example, truncated } = tokenizeExample(rendering, tokenizer, opts.maxTokens, task);
    if (truncated) out.truncated++;
    if (example.trained === 0) {
      // Nothing left to learn from (the response was cut off entirely): training on it would only teach prompts.
      out.tooLong++;
      continue;
    }
    out.items.push({ example, record: r.value, file, line: r.line, task, unseen: r.value.unseen === true });
  }
  if (!out.items.length) {
    const why = out.tooLong ? `: ${out.tooLong} have no response within the first ${opts.maxTokens} tokens (raise the context length)` : '';
    throw new DataError(`${file}: no trainable records${records.length ? ` (of ${records.length})` : ''}${why}`);
  }
  return out;
}

/** A seeded, reproducible hold-out: the same seed and data give the same split. At least one record each side. */
export function holdOut<T>(items: readonly T[], fraction: number, seed: number): { train: T[]; held: T[] } {
  if (fraction <= 0 || items.length < 2) return { train: [...items], held: [] };
  const order = new Rng(seed ^ 0x5eed).shuffle(items.map((_, i) => i));
  const n = Math.min(items.length - 1, Math.max(1, Math.round(items.length * fraction)));
  const held = new Set(order.slice(0, n));
  return { train: items.filter((_, i) => !held.has(i)), held: items.filter((_, i) => held.has(i)) };
}

/** The reference answer of a record for exact match: the output, the completion, or the last assistant message. */
export function expectedResponse(record: Record<string, unknown>): string | null {
  if (typeof record.output === 'string') return record.output;
  if (typeof record.completion === 'string') return record.completion;
  const messages = Array.isArray(record.messages) ? record.messages : Array.isArray(record.completion) ? record.completion : null;
  if (messages) {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i] as { role?: unknown; content?: unknown };
      if (m && m.role === 'assistant') return typeof m.content === 'string' ? m.content : null;
    }
  }
  return null;
}

/** The prompt side of an eval record for generation: for chat, everything before the last assistant message. */
export function promptRecord(record: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(record.messages)) return record;
  const messages = record.messages as Array<{ role?: unknown }>;
  let last = messages.length - 1;
  while (last >= 0 && messages[last]?.role !== 'assistant') last--;
  return last > 0 ? { ...record, messages: messages.slice(0, last) } : record;
}
