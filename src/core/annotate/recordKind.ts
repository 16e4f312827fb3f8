// What kind of record a line holds, as the annotator shows it. Formats follow the dataset core's detection;
// `ranking` (more than two responses with an order) is the annotator's own.
// TODO(swap): delegate the four dataset formats to src/core/dataset/detect.ts `detectFormat` once it is committed.
import type { DatasetFormat } from '../dataset/types';

export type RecordKind = DatasetFormat | 'ranking' | 'unknown';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function detectFormat(record: Record<string, unknown>): DatasetFormat | undefined {
  if ('messages' in record) return 'chat';
  if ('chosen' in record && 'rejected' in record) return 'preference';
  if ('instruction' in record) return 'alpaca';
  if ('prompt' in record && 'completion' in record) return 'completion';
  return undefined;
}

export function recordKind(record: unknown): RecordKind {
  if (!isPlainObject(record)) return 'unknown';
  if (Array.isArray(record.responses) && !('chosen' in record)) return 'ranking';
  return detectFormat(record) ?? 'unknown';
}

/** The task a record belongs to, from the keys datasets commonly use for it (Dolly's `category`, etc.). */
export function taskOf(record: unknown): string | undefined {
  if (!isPlainObject(record)) return undefined;
  for (const key of ['task', 'category', 'task_type']) {
    const v = record[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  const meta = record.meta ?? record.metadata;
  if (isPlainObject(meta) && typeof meta.task === 'string' && meta.task.trim() !== '') return meta.task.trim();
  return undefined;
}
