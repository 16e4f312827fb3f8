// Which format a record is written in, from its keys alone (types are checked later, so a record with a wrong-typed
// field still gets problems about that field rather than "unknown format").
import type { DatasetFormat } from './types';
import { looksLike } from './suggest';

/** Keys each format requires; `input` (alpaca) is optional. */
export const REQUIRED_KEYS: Record<DatasetFormat, readonly string[]> = {
  alpaca: ['instruction', 'output'],
  chat: ['messages'],
  completion: ['prompt', 'completion'],
  preference: ['prompt', 'chosen', 'rejected'],
};

/** Keys that carry the format's content; conversions consume them, every other key is carried over untouched. */
export const FORMAT_KEYS: Record<DatasetFormat, readonly string[]> = {
  alpaca: ['instruction', 'input', 'output'],
  chat: ['messages'],
  completion: ['prompt', 'completion'],
  preference: ['prompt', 'chosen', 'rejected'],
};

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function detectFormat(record: unknown): DatasetFormat | undefined {
  if (!isRecord(record)) return undefined;
  if ('messages' in record) return 'chat';
  if ('chosen' in record && 'rejected' in record) return 'preference';
  // A ranking of several responses (best first by `ranking`) is preference data too: the annotator writes it.
  if ('prompt' in record && 'responses' in record) return 'preference';
  if ('instruction' in record) return 'alpaca';
  if ('prompt' in record && 'completion' in record) return 'completion';
  return undefined;
}

/**
 * The format a record that fits none was most likely meant to be, counting required keys present exactly or
 * misspelled. `preferred` (the file's format) wins when it matches at all. `undefined` when nothing resembles any.
 */
export function closestFormat(record: Record<string, unknown>, preferred?: DatasetFormat): DatasetFormat | undefined {
  const keys = Object.keys(record);
  const score = (f: DatasetFormat) => {
    const req = REQUIRED_KEYS[f];
    let hit = 0;
    for (const r of req) if (keys.includes(r) || keys.some((k) => looksLike(k, r))) hit++;
    return hit / req.length;
  };
  if (preferred && score(preferred) > 0) return preferred;
  let best: DatasetFormat | undefined;
  let bestScore = 0;
  for (const f of Object.keys(REQUIRED_KEYS) as DatasetFormat[]) {
    const s = score(f);
    if (s > bestScore) { best = f; bestScore = s; }
  }
  return best;
}
