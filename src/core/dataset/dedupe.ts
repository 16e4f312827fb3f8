// Removing duplicates with exactly the rules validation reports them by (same content; near: similar normalized
// text), keeping the first occurrence.
import type { ParsedRecord } from './types';
import { DatasetScanner } from './scanner';

export interface DedupeOptions {
  /** Also remove near-duplicates (MinHash over word shingles of normalized text). */
  near?: boolean;
  /** Similarity at or above which records are near-duplicates (default 0.8). */
  threshold?: number;
}

export interface RemovedRecord {
  record: ParsedRecord;
  kind: 'duplicate' | 'near-duplicate';
  firstLine: number;
  similarity?: number;
}

export function dedupeRecords(records: readonly ParsedRecord[], options: DedupeOptions = {}): { kept: ParsedRecord[]; removed: RemovedRecord[] } {
  const kept: ParsedRecord[] = [];
  const removed: RemovedRecord[] = [];
  let current: ParsedRecord | undefined;
  const scanner = new DatasetScanner({
    nearDuplicates: options.near === true,
    nearDuplicateThreshold: options.threshold,
    onRecord: (_r, problems) => {
      const dup = problems.find((p) => p.code === 'duplicate' || (options.near && p.code === 'near-duplicate'));
      if (!dup) { kept.push(current!); return; }
      const data = dup.data as { firstLine: number; similarity?: number };
      removed.push({ record: current!, kind: dup.code as RemovedRecord['kind'], firstLine: data.firstLine, ...(data.similarity !== undefined ? { similarity: data.similarity } : {}) });
    },
  });
  for (const r of records) {
    current = r;
    scanner.pushElement(r.raw, (o) => ({ line: r.line, column: o + 1 }), { value: r.value });
  }
  return { kept, removed };
}
