// A summary of every line of the document (kind, review status, task), enough to filter, count progress and
// page through 100k records without keeping parsed records around. Kept in step with the document line by line.
import { readReview, statusOf, type StatusFilterValue } from './review';
import { recordKind, taskOf, type RecordKind } from './recordKind';

export interface LineSummary {
  /** Blank lines are not records: they are skipped in lists and counts. */
  blank: boolean;
  /** False when the line is not a JSON object. */
  valid: boolean;
  kind: RecordKind;
  status: StatusFilterValue;
  task?: string;
}

const BLANK: LineSummary = { blank: true, valid: true, kind: 'unknown', status: 'unreviewed' };
const INVALID: LineSummary = { blank: false, valid: false, kind: 'unknown', status: 'unreviewed' };

export function summarizeLine(text: string): LineSummary {
  if (text.trim() === '') return BLANK;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return INVALID;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return INVALID;
  const summary: LineSummary = { blank: false, valid: true, kind: recordKind(record), status: statusOf(readReview(record).review) };
  const task = taskOf(record);
  if (task !== undefined) summary.task = task;
  return summary;
}

export interface Progress {
  records: number;
  reviewed: number;
  accepted: number;
  rejected: number;
}

export class LineIndex {
  private lines: Array<LineSummary | undefined> = [];

  /** Lines not summarized yet (a large file is indexed in slices). */
  get pending(): number {
    let n = 0;
    for (const s of this.lines) if (s === undefined) n++;
    return n;
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Starts over for a document of `lineCount` lines, none summarized. */
  reset(lineCount: number): void {
    this.lines = new Array<LineSummary | undefined>(lineCount).fill(undefined);
  }

  /** Summarizes lines [from, to) with `lineAt` and returns how many were done. */
  summarize(lineAt: (line: number) => string, from: number, to: number): number {
    const end = Math.min(to, this.lines.length);
    for (let i = from; i < end; i++) this.lines[i] = summarizeLine(lineAt(i));
    return Math.max(0, end - from);
  }

  /** Summarizes the lines of [from, to) not summarized yet and returns how many that was. */
  summarizePending(lineAt: (line: number) => string, from: number, to: number): number {
    const end = Math.min(to, this.lines.length);
    let n = 0;
    for (let i = from; i < end; i++) {
      if (this.lines[i] === undefined) {
        this.lines[i] = summarizeLine(lineAt(i));
        n++;
      }
    }
    return n;
  }

  /** The first line not summarized at or after `from`, or -1. */
  nextPending(from = 0): number {
    for (let i = from; i < this.lines.length; i++) if (this.lines[i] === undefined) return i;
    return -1;
  }

  at(line: number): LineSummary | undefined {
    return this.lines[line];
  }

  /**
   * Mirrors a text change: lines [start, start + removed) became `inserted` lines, left to summarize (the
   * caller reads them from the new text). Lines after the change keep their summaries, shifted.
   */
  spliceUnsummarized(start: number, removed: number, inserted: number): void {
    // Not splice(...spread): pasting a whole file would pass 100k arguments.
    this.lines = this.lines.slice(0, start).concat(new Array<undefined>(inserted).fill(undefined), this.lines.slice(start + removed));
  }

  progress(): Progress {
    const p: Progress = { records: 0, reviewed: 0, accepted: 0, rejected: 0 };
    for (const s of this.lines) {
      if (s === undefined || s.blank) continue;
      p.records++;
      if (s.status === 'accepted') p.accepted++;
      else if (s.status === 'rejected') p.rejected++;
    }
    p.reviewed = p.accepted + p.rejected;
    return p;
  }

  tasks(): string[] {
    const set = new Set<string>();
    for (const s of this.lines) if (s?.task !== undefined) set.add(s.task);
    return [...set].sort();
  }

  kinds(): RecordKind[] {
    const set = new Set<RecordKind>();
    for (const s of this.lines) if (s && !s.blank && s.valid) set.add(s.kind);
    return [...set];
  }
}
