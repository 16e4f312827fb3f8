// What the panel shows for preference tuning, as plain rows (no DOM, so it is unit-tested): DPO's reward accuracy,
// margin and loss of the tuned model against the base, and the win rate of tuned over base on verifiable records.
import type { PreferenceReport, PreferenceStats, WinRate } from '../../src/shared/protocol/evaluation';
import { pct, signed } from './dom';

export interface PreferenceRow {
  label: string;
  tuned: string;
  base: string;
  change: string;
  /** Whether the change is an improvement; null when there is no change to judge. */
  better: boolean | null;
}

const fixed = (v: number) => v.toFixed(4);
const signedFixed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;

const ROWS: Array<{ key: keyof PreferenceStats; label: string; share: boolean; lowerIsBetter: boolean }> = [
  { key: 'reward_accuracy', label: 'Reward accuracy', share: true, lowerIsBetter: false },
  { key: 'reward_margin', label: 'Reward margin (chosen − rejected)', share: false, lowerIsBetter: false },
  { key: 'rewards_chosen', label: 'Reward of chosen', share: false, lowerIsBetter: false },
  { key: 'rewards_rejected', label: 'Reward of rejected', share: false, lowerIsBetter: true },
  { key: 'dpo_loss', label: 'DPO loss', share: false, lowerIsBetter: true },
];

export function preferenceRows(r: PreferenceReport): PreferenceRow[] {
  return ROWS.map(({ key, label, share, lowerIsBetter }) => {
    const d = r[key] - r.base[key];
    return {
      label,
      tuned: share ? pct(r[key]) : fixed(r[key]),
      base: share ? pct(r.base[key]) : fixed(r.base[key]),
      change: share ? signed(d, true) : signedFixed(d),
      better: d === 0 ? null : lowerIsBetter ? d < 0 : d > 0,
    };
  });
}

export function preferenceSummary(r: PreferenceReport): string {
  return `DPO beta ${r.beta}, ${r.loss_type} loss · rewards are β·(log π_tuned − log π_base), so the base scores 0`;
}

/** "62.5% (5 won, 2 lost, 1 tied of 8; ties count half)". */
export function winRateText(w: WinRate): string {
  return `${pct(w.win_rate)} (${w.wins} won, ${w.losses} lost, ${w.ties} tied of ${w.n}; ties count half)`;
}
