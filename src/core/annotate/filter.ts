// Which records the annotator lists: status, validator problem code, task and text search, all combined.
import type { LineIndex } from './lineIndex';
import type { StatusFilterValue } from './review';

export interface AnnotatorFilter {
  status?: StatusFilterValue;
  /** A validator problem code (e.g. `empty-field`); `any` lists every record with at least one problem. */
  problem?: string;
  task?: string;
  /** Case-insensitive search in the record's line text. */
  text?: string;
}

export function isEmptyFilter(f: AnnotatorFilter): boolean {
  return !f.status && !f.problem && !f.task && !f.text;
}

/**
 * Document lines (0-based, ascending) of the records that pass `filter`. Lines not yet summarized are listed
 * only when the filter does not depend on the summary, so a large file can be browsed while it is indexed.
 */
export function filterLines(
  index: LineIndex,
  lineAt: (line: number) => string,
  problemCodesAt: (line: number) => readonly string[] | undefined,
  filter: AnnotatorFilter,
): number[] {
  const out: number[] = [];
  const needle = filter.text?.trim() ?? '';
  // A case-insensitive regex scans each line in place; lower-casing 100k lines would copy the whole file per keystroke.
  const search = needle ? new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : undefined;
  for (let i = 0; i < index.lineCount; i++) {
    const s = index.at(i);
    if (s === undefined) {
      if (filter.status || filter.task) continue;
      if (lineAt(i).trim() === '') continue;
    } else {
      if (s.blank) continue;
      if (filter.status && s.status !== filter.status) continue;
      if (filter.task && s.task !== filter.task) continue;
    }
    if (filter.problem) {
      const codes = problemCodesAt(i);
      if (!codes || codes.length === 0) continue;
      if (filter.problem !== 'any' && !codes.includes(filter.problem)) continue;
    }
    if (search && !search.test(lineAt(i))) continue;
    out.push(i);
  }
  return out;
}
