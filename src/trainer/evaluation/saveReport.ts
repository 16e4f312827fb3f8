// Where an evaluation is kept: RUN/eval/<timestamp>.json (the report) beside <timestamp>.generations.jsonl, so the
// runs view and the evaluation panel find every evaluation of a run, newest last by name.
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { EvalReport, GenerationLine, PreferenceReport } from '../../shared/protocol/evaluation';
import { writeFileAtomic } from '../atomicFile';

/** The run folder a --model path belongs to: the folder itself, or the run above its best/ or checkpoint/. */
export function runFolderOf(model: string): string | null {
  if (existsSync(join(model, 'run.json'))) return model;
  const parent = dirname(model);
  if (['best', 'checkpoint'].includes(basename(model)) && existsSync(join(parent, 'run.json'))) return parent;
  return null;
}

/** A file-name-safe UTC timestamp that sorts in time order. */
export function evalStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/** Writes both files into `dir/eval/` and returns the report's path; never overwrites an earlier evaluation. */
export function saveEvaluation(dir: string, report: EvalReport, generations: readonly GenerationLine[]): string {
  const { evalDir, stamp } = freeStamp(dir, report.meta.created);
  const genName = `${stamp}.generations.jsonl`;
  writeFileAtomic(join(evalDir, genName), generations.map((g) => JSON.stringify(g)).join('\n') + (generations.length ? '\n' : ''));
  const path = join(evalDir, `${stamp}.json`);
  writeFileAtomic(path, JSON.stringify({ ...report, meta: { ...report.meta, generations: genName } }, null, 2) + '\n');
  return path;
}

/** A preference evaluation scores pairs and generates nothing: the report alone, named like the others. */
export function savePreferenceEvaluation(dir: string, report: PreferenceReport): string {
  const { evalDir, stamp } = freeStamp(dir, report.meta.created);
  const path = join(evalDir, `${stamp}.json`);
  writeFileAtomic(path, JSON.stringify(report, null, 2) + '\n');
  return path;
}

function freeStamp(dir: string, created: string): { evalDir: string; stamp: string } {
  const evalDir = join(dir, 'eval');
  mkdirSync(evalDir, { recursive: true });
  let stamp = evalStamp(new Date(created));
  for (let k = 2; existsSync(join(evalDir, `${stamp}.json`)); k++) stamp = `${evalStamp(new Date(created))}-${k}`;
  return { evalDir, stamp };
}
