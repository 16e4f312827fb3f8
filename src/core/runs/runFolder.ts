// A run folder as the trainer leaves it: run.json (status, dataset, model, config, timestamps),
// metrics.jsonl, checkpoint/ and best/. The runs view and the chart read it; nothing here writes.
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import { parseMetricsChunk, isEvalRow } from './metrics';
import { isPreferenceReport, parseSavedReport, type WinRate } from '../../shared/protocol/evaluation';

export type RunState = 'running' | 'finished' | 'stopped' | 'failed' | 'unknown';

export interface RunSummary {
  dir: string;
  name: string;
  status: RunState;
  stage?: string;
  dataset?: string;
  model?: string;
  startedAt?: string;
  endedAt?: string;
  /** Seconds of training (last metrics row's elapsed_s, or the timestamps). */
  durationSeconds?: number;
  lastStep?: number;
  bestEvalLoss?: number;
  lastExactMatch?: number;
  hasCheckpoint: boolean;
  /** The newest saved evaluation (RUN/eval/<UTC timestamp>.json), for the runs view's summary. */
  evaluation?: EvaluationSummary;
  /** Why it ended, as the trainer wrote it. */
  reason?: string;
  error?: string;
}

/** An instruction evaluation (exact match, F1, win rate vs base) or a preference one (DPO rewards vs base). */
export type EvaluationSummary =
  | {
    kind: 'instruction'; file: string; n: number; exactMatch: number | null; tokenF1: number | null; exactMatchDelta: number | null;
    winRate: WinRate | null;
  }
  | { kind: 'preference'; file: string; n: number; rewardAccuracy: number; rewardMargin: number; dpoLoss: number; baseDpoLoss: number };

const STATES: RunState[] = ['running', 'finished', 'stopped', 'failed'];

export async function readRunSummary(dir: string): Promise<RunSummary> {
  const summary: RunSummary = { dir, name: basename(dir), status: 'unknown', hasCheckpoint: false };
  try {
    const run = JSON.parse(await fs.readFile(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
    const s = run.status;
    if (typeof s === 'string' && (STATES as string[]).includes(s)) summary.status = s as RunState;
    const text = (k: string) => (typeof run[k] === 'string' ? (run[k] as string) : undefined);
    summary.dataset = text('dataset') ?? text('data');
    summary.model = text('model');
    summary.stage = text('stage') ?? (typeof (run.config as Record<string, unknown> | undefined)?.stage === 'string' ? String((run.config as Record<string, unknown>).stage) : undefined);
    summary.startedAt = text('startedAt') ?? text('started_at');
    summary.endedAt = text('endedAt') ?? text('ended_at') ?? text('finished_at');
    summary.error = text('error') ?? (summary.status === 'failed' ? text('reason') : undefined);
    summary.reason = text('reason');
    const best = run.best_eval_loss ?? run.bestEvalLoss;
    if (typeof best === 'number') summary.bestEvalLoss = best;
  } catch (e) {
    summary.error = `run.json: ${(e as Error).message}`;
  }
  try {
    const { rows } = parseMetricsChunk(await fs.readFile(join(dir, 'metrics.jsonl')), true);
    for (const r of rows) {
      if (isEvalRow(r)) {
        if (typeof r.loss === 'number' && (summary.bestEvalLoss === undefined || r.loss < summary.bestEvalLoss)) summary.bestEvalLoss = r.loss;
        if (typeof r.exact_match === 'number') summary.lastExactMatch = r.exact_match;
      } else summary.lastStep = r.step;
      if (typeof r.elapsed_s === 'number') summary.durationSeconds = r.elapsed_s;
    }
  } catch {
    // No metrics yet: a run that has just started.
  }
  if (summary.durationSeconds === undefined && summary.startedAt && summary.endedAt) {
    const d = (Date.parse(summary.endedAt) - Date.parse(summary.startedAt)) / 1000;
    if (Number.isFinite(d) && d >= 0) summary.durationSeconds = d;
  }
  summary.hasCheckpoint = await exists(join(dir, 'checkpoint', 'training_state.json'));
  summary.evaluation = await newestEvaluation(dir);
  return summary;
}

/**
 * Evaluation files are named by UTC timestamp, so the last by name is the newest; files that are not JSON or not a
 * valid report (the protocol's check, as the evaluation panel applies it) are skipped.
 */
async function newestEvaluation(dir: string): Promise<EvaluationSummary | undefined> {
  const names = await fs.readdir(join(dir, 'eval')).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json')).sort().reverse()) {
    const file = join(dir, 'eval', name);
    let parsed: ReturnType<typeof parseSavedReport>;
    try {
      parsed = parseSavedReport(JSON.parse(await fs.readFile(file, 'utf8')));
    } catch {
      continue;
    }
    if (!parsed.ok) continue;
    const r = parsed.report;
    if (isPreferenceReport(r)) {
      return { kind: 'preference', file, n: r.n, rewardAccuracy: r.reward_accuracy, rewardMargin: r.reward_margin, dpoLoss: r.dpo_loss, baseDpoLoss: r.base.dpo_loss };
    }
    return {
      kind: 'instruction', file, n: r.n, exactMatch: r.exact_match, tokenF1: r.token_f1,
      exactMatchDelta: numberOrNull(r.comparison?.exact_match?.delta), winRate: r.win_rate ?? null,
    };
  }
  return undefined;
}

/** The comparison is checked as an object only: a hand-edited delta that is not a number shows as none. */
function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

async function exists(p: string): Promise<boolean> {
  try { await fs.access(p); return true; } catch { return false; }
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
