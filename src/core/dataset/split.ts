// Seeded train/eval split, optionally stratified so each group (e.g. task) keeps its share in both parts.
// Records keep their original order within each part, so diffs against the source stay readable.
import { seededRandom } from '../random';

function stringSeed(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface SplitOptions<T> {
  /** Share of records for evaluation, 0 < evalFraction < 1. */
  evalFraction: number;
  seed?: number;
  /** The group of a record (e.g. its task); records of each group are split in the same proportion. */
  stratify?: (item: T) => string;
}

export interface SplitResult<T> {
  train: T[];
  eval: T[];
  /** Eval and total counts per group, when stratified. */
  groups?: Record<string, { total: number; eval: number }>;
}

export function splitRecords<T>(items: readonly T[], options: SplitOptions<T>): SplitResult<T> {
  const f = options.evalFraction;
  if (!(f > 0 && f < 1)) throw new RangeError(`the eval fraction must be between 0 and 1 (exclusive), got ${f}`);
  const seed = options.seed ?? 0;
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const g = options.stratify ? options.stratify(item) : '';
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(i);
  });
  // largest-remainder apportionment: the total is round(n * f) and every group gets its share, rounded fairly
  const total = Math.round(items.length * f);
  const names = [...groups.keys()].sort();
  const quota = new Map(names.map((g) => [g, groups.get(g)!.length * f]));
  const take = new Map(names.map((g) => [g, Math.floor(quota.get(g)!)]));
  let left = total - [...take.values()].reduce((a, b) => a + b, 0);
  const byRemainder = [...names].sort((a, b) => (quota.get(b)! - take.get(b)!) - (quota.get(a)! - take.get(a)!) || (a < b ? -1 : 1));
  for (const g of byRemainder) {
    if (left <= 0) break;
    if (take.get(g)! < groups.get(g)!.length) { take.set(g, take.get(g)! + 1); left--; }
  }
  const isEval = new Uint8Array(items.length);
  for (const g of names) {
    const idx = groups.get(g)!.slice();
    const rand = seededRandom(seed ^ stringSeed(g));
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    for (let k = 0; k < take.get(g)!; k++) isEval[idx[k]] = 1;
  }
  const result: SplitResult<T> = { train: [], eval: [] };
  items.forEach((item, i) => (isEval[i] ? result.eval : result.train).push(item));
  if (options.stratify) result.groups = Object.fromEntries(names.map((g) => [g, { total: groups.get(g)!.length, eval: take.get(g)! }]));
  return result;
}

export { seededRandom };
