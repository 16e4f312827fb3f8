// Win rate of the tuned model over the base on verifiable records: those with a reference answer (exact match) or
// instruction checks (all must pass, strict). A record is a win when the tuned model gets it right and the base does
// not, a loss the other way round, a tie when both are right or both wrong. Ties count half, as in AlpacaEval.
import { scoreRecord, type EvalRecord } from '../../core/metrics';
import type { WinRate } from '../../shared/protocol/evaluation';

export type { WinRate };

/** Right when every verifiable part is right; null when the record has nothing to verify. */
export function isCorrect(record: EvalRecord): boolean | null {
  const s = scoreRecord(record);
  if (!s.generation && !s.checks) return null;
  return (!s.generation || s.generation.exact_match === 1) && (!s.checks || s.checks.prompt_strict);
}

/** Base and tuned scored on the same records, in the same order; null when none is verifiable. */
export function winRate(base: readonly EvalRecord[], tuned: readonly EvalRecord[]): WinRate | null {
  if (base.length !== tuned.length) throw new Error(`win rate: ${tuned.length} tuned records but ${base.length} base records`);
  const out: WinRate = { n: 0, wins: 0, losses: 0, ties: 0, win_rate: 0 };
  tuned.forEach((t, i) => {
    const tc = isCorrect(t);
    const bc = isCorrect(base[i]);
    if (tc === null || bc === null) return;
    out.n++;
    if (tc && !bc) out.wins++;
    else if (bc && !tc) out.losses++;
    else out.ties++;
  });
  if (!out.n) return null;
  out.win_rate = (out.wins + out.ties / 2) / out.n;
  return out;
}
