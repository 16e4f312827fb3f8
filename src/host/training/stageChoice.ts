// Which training stages a dataset allows, from its validation summary: preference pairs can train DPO (preselected)
// or SFT on the chosen responses; instruction records train SFT only; a file that mixes the two is explained, since
// one run trains one kind and the trainer skips records of the other format as invalid. Pure: tested in plain Node.
import type { ValidationSummary } from '../../shared/protocol/datasetWorker';
import type { TrainStage } from '../../shared/protocol/trainer';

export interface StageOption {
  stage: Extract<TrainStage, 'sft' | 'dpo'>;
  label: string;
  detail: string;
}

export type StageChoice =
  /** Nothing to ask: the data allows one stage. */
  | { kind: 'fixed'; stage: 'sft' }
  /** Ask, with `options[0]` the preselected one. */
  | { kind: 'pick'; options: StageOption[] }
  /** The file mixes preference pairs and instruction records; `message` says what a run would use. */
  | { kind: 'mixed'; message: string; stage: 'sft' | 'dpo'; preference: number; instruction: number };

const DPO: StageOption = {
  stage: 'dpo',
  label: 'DPO (preference tuning)',
  detail: 'Direct Preference Optimization on the chosen/rejected pairs, against a frozen copy of the starting model; start from an SFT checkpoint for best results',
};
const SFT_ON_CHOSEN: StageOption = {
  stage: 'sft',
  label: 'SFT on the chosen responses',
  detail: 'Supervised fine-tuning that imitates the chosen response of each pair; the rejected ones are not used',
};

export function stageChoice(summary: Pick<ValidationSummary, 'file' | 'format' | 'records' | 'problems'> & { truncated?: boolean }): StageChoice {
  const mixed = summary.problems.filter((p) => p.code === 'mixed-format');
  const involvesPreference = mixed.some((p) => p.data?.format === 'preference' || p.data?.expected === 'preference');
  if (involvesPreference) {
    // The file's format is the majority's; mixed-format problems are on the records of the other kind.
    const others = mixed.length;
    const preference = summary.format === 'preference' ? summary.records - others : others;
    const instruction = summary.records - preference;
    const stage = summary.format === 'preference' ? 'dpo' : 'sft';
    const name = summary.file.split(/[\\/]/).pop();
    const first = mixed[0].line;
    // The summary lists the first problems only: when it was cut short, the counts are lower bounds.
    const counts = summary.truncated
      ? `preference pairs and instruction records (at least ${others} of the other kind, the first at line ${first})`
      : `${preference} preference pair${preference === 1 ? '' : 's'} and ${instruction} instruction record${instruction === 1 ? '' : 's'} (first of the other kind at line ${first})`;
    const message = `${name} mixes ${counts}. `
      + `A run trains one kind: ${stage === 'dpo' ? 'DPO on the pairs' : 'SFT on the instruction records'}, skipping the ${summary.truncated ? '' : `${others} `}other record${others === 1 && !summary.truncated ? '' : 's'}. `
      + 'To use both, put the pairs and the instruction records in separate files and train SFT first, then DPO from its checkpoint.';
    return { kind: 'mixed', message, stage, preference, instruction };
  }
  if (summary.format === 'preference') return { kind: 'pick', options: [DPO, SFT_ON_CHOSEN] };
  return { kind: 'fixed', stage: 'sft' };
}
