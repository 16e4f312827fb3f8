// The run folder OUT/: run.json (status and what was trained; the runs view reads it), metrics.jsonl (one row per
// logged step and per evaluation; the live chart streams it), checkpoint/ (latest) and best/ (lowest eval loss).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendInfo } from './engine/types';
import type { EvalRow, MetricsRow, RunStatus, TrainStage } from '../shared/protocol/trainer';
import { writeFileAtomic, writeJsonAtomic } from './atomicFile';

export interface RunInfo {
  status: RunStatus;
  /** What the run trains (absent in runs from before stages: sft). */
  stage?: TrainStage;
  dataset: string;
  eval: string | null;
  model: string;
  config: Record<string, unknown>;
  backend: BackendInfo | null;
  parameters: number | null;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
  step: number;
  total_steps: number;
  best_eval_loss: number | null;
  best_step: number | null;
  /** Why it ended (time limit, early stopping, cancelled) or what went wrong. */
  reason: string | null;
  pid: number | null;
}

export const runPaths = (out: string) => ({
  run: join(out, 'run.json'),
  metrics: join(out, 'metrics.jsonl'),
  checkpoint: join(out, 'checkpoint'),
  best: join(out, 'best'),
});

export function readRunInfo(out: string): RunInfo | null {
  const p = runPaths(out).run;
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as RunInfo;
  } catch (e) {
    throw new Error(`${p}: corrupt JSON (${(e as Error).message})`);
  }
}

export function writeRunInfo(out: string, info: RunInfo): void {
  writeJsonAtomic(runPaths(out).run, { ...info, updated_at: new Date().toISOString() });
}

/** Marks a run failed from outside the trainer (the parent, when the child died without a word). */
export function markRunFailed(out: string, reason: string): void {
  const info = readRunInfo(out);
  if (!info || info.status !== 'running') return;
  writeRunInfo(out, { ...info, status: 'failed', reason, finished_at: new Date().toISOString(), pid: null });
}

export type MetricsLine = MetricsRow | EvalRow;

export function appendMetrics(out: string, row: MetricsLine): void {
  appendFileSync(runPaths(out).metrics, JSON.stringify(row) + '\n');
}

export function readMetrics(out: string): MetricsLine[] {
  const p = runPaths(out).metrics;
  if (!existsSync(p)) return [];
  const rows: MetricsLine[] = [];
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    // A line cut short by a crash mid-append is dropped rather than failing the whole run.
    try {
      rows.push(JSON.parse(line));
    } catch {
      continue;
    }
  }
  return rows;
}

/**
 * On resume, rows logged after the checkpoint's step were trained again from the checkpoint: drop them so the
 * curve has each step once.
 */
export function truncateMetrics(out: string, step: number): void {
  const keep = readMetrics(out).filter((r) => r.step <= step);
  writeFileAtomic(runPaths(out).metrics, keep.map((r) => JSON.stringify(r) + '\n').join(''));
}
