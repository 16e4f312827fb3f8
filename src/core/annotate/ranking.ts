// Rankings of more than two responses: `ranking` lists indices into `responses`, best first.

import { isPlainObject } from './recordKind';

/** The ranking stored in the record, or the identity order when none (or a malformed one) is stored. */
export function readRanking(record: unknown): { ranking: number[]; stored: boolean; problem?: string } {
  const n = isPlainObject(record) && Array.isArray(record.responses) ? record.responses.length : 0;
  const identity = Array.from({ length: n }, (_, i) => i);
  if (!isPlainObject(record) || !('ranking' in record)) return { ranking: identity, stored: false };
  const problem = rankingProblem(record.ranking, n);
  if (problem) return { ranking: identity, stored: false, problem };
  return { ranking: record.ranking as number[], stored: true };
}

/** Why `ranking` is not a permutation of 0..n-1, or undefined when it is. */
export function rankingProblem(ranking: unknown, n: number): string | undefined {
  if (!Array.isArray(ranking)) return 'ranking must be an array of response indices, best first';
  if (ranking.length !== n) return `ranking has ${ranking.length} entries but there are ${n} responses`;
  const seen = new Set<number>();
  for (const r of ranking) {
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r >= n) return `ranking entry ${JSON.stringify(r)} is not a response index 0..${n - 1}`;
    if (seen.has(r)) return `ranking lists response ${r} twice`;
    seen.add(r);
  }
  return undefined;
}

/** Moves the entry at rank `from` to rank `to` (both 0-based positions in the ranking). */
export function moveInRanking(ranking: readonly number[], from: number, to: number): number[] {
  if (from < 0 || from >= ranking.length || to < 0 || to >= ranking.length) throw new RangeError(`rank ${from}→${to} out of 0..${ranking.length - 1}`);
  const next = ranking.slice();
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved);
  return next;
}
