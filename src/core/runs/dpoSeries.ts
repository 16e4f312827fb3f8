// What the loss chart draws for a DPO run: the statistics TRL logs per step (`rewards/*`, the implicit rewards
// β·(log π − log π_ref) of the chosen and rejected responses, their margin and how often chosen wins) and the
// held-out `reward_accuracy` of eval rows. A run is DPO when its rows carry them, whatever its run.json says.
import { isEvalRow, type MetricsRow } from './metrics';

export const DPO_TRAIN_FIELDS = ['rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies'] as const;
export const DPO_EVAL_FIELDS = ['reward_accuracy'] as const;

export interface ChartLine {
  field: string;
  split: 'train' | 'eval';
  label: string;
  dash?: number[];
}

export interface ChartPanelSpec {
  /** The element id the panel draws into. */
  id: string;
  title: string;
  smooth: boolean;
  /** Values are fractions 0–1 (accuracies): a fixed 0–100% axis; absent: the axis fits the data. */
  percent?: boolean;
  lines: ChartLine[];
}

export const DPO_PANELS: readonly ChartPanelSpec[] = [
  { id: 'chart-dpo-rewards', title: 'DPO rewards', smooth: true, lines: [
    { field: 'rewards/chosen', split: 'train', label: 'chosen' },
    { field: 'rewards/rejected', split: 'train', label: 'rejected' },
    { field: 'rewards/margins', split: 'train', label: 'margin', dash: [6, 4] },
  ] },
  { id: 'chart-dpo-accuracy', title: 'DPO reward accuracy', smooth: true, percent: true, lines: [
    { field: 'rewards/accuracies', split: 'train', label: 'train accuracy' },
    { field: 'reward_accuracy', split: 'eval', label: 'eval accuracy', dash: [6, 4] },
  ] },
];

/** A row with any DPO statistic (train or eval). */
export function isDpoRow(row: MetricsRow): boolean {
  const fields: readonly string[] = isEvalRow(row) ? DPO_EVAL_FIELDS : DPO_TRAIN_FIELDS;
  return fields.some((f) => typeof row[f] === 'number' && Number.isFinite(row[f]));
}
