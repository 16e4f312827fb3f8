// A small, hand-built evaluation report and generations in the saved shape, scored by the real metrics core.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregate, compareRuns, type EvalRecord } from '../../../src/core/metrics';
import { winRate } from '../../../src/trainer/evaluation/winRate';
import type { EvalReport, GenerationLine, PreferenceReport } from '../../../src/shared/protocol/evaluation';

export function sampleEvaluation(dataFile: string): { report: EvalReport; generations: GenerationLine[] } {
  const rows = [
    { line: 1, task: 'reverse', unseen: false, expected: 'tac', base: 'cat', tuned: 'tac' },
    { line: 2, task: 'upper', unseen: false, expected: 'DOG', base: 'dog', tuned: 'DOG' },
    { line: 3, task: 'reverse', unseen: true, expected: 'nus', base: 'sun', tuned: 'nus x' },
    { line: 4, task: 'upper', unseen: true, expected: 'OWL', base: 'owl', tuned: 'bat' },
  ];
  const tuned: EvalRecord[] = rows.map((r) => ({ task: r.task, unseen: r.unseen, prediction: r.tuned, reference: r.expected, nll: 2, tokens: 4 }));
  const base: EvalRecord[] = rows.map((r) => ({ task: r.task, unseen: r.unseen, prediction: r.base, reference: r.expected, nll: 6, tokens: 4 }));
  const opts = { bootstrap: { samples: 100 } };
  const forgetting = { before: [{ nll: 40, tokens: 20 }, { nll: 42, tokens: 20 }], after: [{ nll: 44, tokens: 20 }, { nll: 46, tokens: 20 }] };
  const report: EvalReport = {
    ...aggregate(tuned, { ...opts, forgetting }),
    base_results: aggregate(base, opts),
    comparison: compareRuns(base, tuned, opts),
    win_rate: winRate(base, tuned),
    meta: { created: '2026-11-25T12:00:00.000Z', model: '/runs/demo/best', base: 'tiny', data: dataFile, unseen_data: null, general: null, generations: 'x.generations.jsonl', max_new_tokens: 16 },
  };
  const score = (r: EvalRecord) => {
    const a = aggregate([r], { bootstrap: false });
    return { exact_match: a.exact_match!, token_f1: a.token_f1!, rouge_l: a.rouge_l!, bleu: a.bleu!, loss: a.loss, ifeval_strict: null };
  };
  const generations = rows.map((r, i): GenerationLine => ({
    file: dataFile, line: r.line, task: r.task, unseen: r.unseen, prompt: `Do it: ${r.expected}`, expected: r.expected, base: r.base, tuned: r.tuned,
    scores: { tuned: score(tuned[i]), base: score(base[i]) },
  }));
  return { report, generations };
}

/** Writes the sample evaluation as RUN/eval/<stamp>.json + generations into `runDir`; returns the report's path. */
export function writeSampleEvaluation(runDir: string, dataFile: string, stamp = '2026-11-25T12-00-00-000Z'): string {
  const { report, generations } = sampleEvaluation(dataFile);
  const evalDir = join(runDir, 'eval');
  mkdirSync(evalDir, { recursive: true });
  writeFileSync(join(evalDir, `${stamp}.generations.jsonl`), generations.map((g) => JSON.stringify(g)).join('\n') + '\n');
  const path = join(evalDir, `${stamp}.json`);
  writeFileSync(path, JSON.stringify({ ...report, meta: { ...report.meta, generations: `${stamp}.generations.jsonl` } }, null, 2));
  return path;
}

/** A preference evaluation as `eval` saves it: 8 pairs, 6 ranked right; the base is the reference against itself. */
export function samplePreferenceReport(): PreferenceReport {
  return {
    kind: 'preference', n: 8, beta: 0.1, loss_type: 'sigmoid',
    reward_accuracy: 0.75, reward_margin: 0.125, rewards_chosen: 0.05, rewards_rejected: -0.075, dpo_loss: 0.6321,
    base: { reward_accuracy: 0, reward_margin: 0, rewards_chosen: 0, rewards_rejected: 0, dpo_loss: Math.LN2 },
    meta: { created: '2026-11-25T13:00:00.000Z', model: '/runs/dpo/best', base: '/runs/sft/best', data: '/d/prefs-eval.jsonl' },
  };
}
