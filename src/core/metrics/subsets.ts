// The record subsets every evaluation is reported over: all, each task, seen and unseen.
import type { RecordScores } from './record';

export interface RecordSubsets {
  /** Indices into the scored records, per task, sorted by task name; untagged records are in no task. */
  perTask: Array<[task: string, indices: number[]]>;
  /** Null unless some records are unseen. */
  seen: number[] | null;
  unseen: number[] | null;
}

export function recordSubsets(records: readonly RecordScores[]): RecordSubsets {
  const byTask = new Map<string, number[]>();
  records.forEach((r, i) => {
    if (r.task === undefined) return;
    const list = byTask.get(r.task) ?? [];
    list.push(i);
    byTask.set(r.task, list);
  });
  const perTask = [...byTask.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const anyUnseen = records.some((r) => r.unseen);
  const indices = (unseen: boolean): number[] => records.flatMap((r, i) => (r.unseen === unseen ? [i] : []));
  return { perTask, seen: anyUnseen ? indices(false) : null, unseen: anyUnseen ? indices(true) : null };
}
