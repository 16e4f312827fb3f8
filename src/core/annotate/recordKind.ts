// What kind of record a line holds, as the annotator shows it: the dataset core's own format detection, so the
// annotator, the validator and the trainer agree; `ranking` (responses with an order) is the annotator's own.
import { detectFormat } from '../dataset/detect';
import type { DatasetFormat } from '../dataset/types';

export type RecordKind = DatasetFormat | 'ranking' | 'unknown';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
