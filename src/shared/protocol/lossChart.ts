// The loss chart webview's messages, both directions, validated on receipt on both sides.
import type { MetricsRow } from '../../core/runs/metrics';
import { arrayOf, bool, isObj, maxLen, num, oneOf, optional, shape, str, validateMessage, type Check } from './check';

export type RunStatus = 'running' | 'finished' | 'stopped' | 'failed' | 'unknown';

export interface ChartRun {
  /** Stable id: the run folder's path. */
  id: string;
  label: string;
  status: RunStatus;
  /** 'sft' | 'dpo' | 'pretrain' — decides which metrics are offered. */
  stage?: string;
}

export type HostToChart =
  /** The runs that can be shown, and which are shown (the first is the primary run). */
  | { type: 'runs'; runs: ChartRun[]; selected: string[] }
  /** Rows of a run in file order; `reset` replaces what the chart holds for it. */
  | { type: 'rows'; runId: string; rows: MetricsRow[]; reset: boolean }
  | { type: 'status'; runId: string; status: RunStatus };

export type ChartToHost =
  | { type: 'ready' }
  | { type: 'select'; runIds: string[] }
  | { type: 'exportCsv'; runId: string }
  | { type: 'exportPng'; dataUrl: string };

/** Rows sent in one message: big runs arrive in slices so no message is huge. */
export const MAX_ROWS_PER_MESSAGE = 20_000;
const MAX_RUNS = 200;

const runStatus = oneOf('running', 'finished', 'stopped', 'failed', 'unknown');
const run = shape({ id: maxLen(4096), label: maxLen(1024), status: runStatus, stage: optional(maxLen(64)) });
const row: Check = (v) => isObj(v) && num(v.step);

const toChart: { [K in HostToChart['type']]: Check } = {
  runs: shape({ runs: arrayOf(run, MAX_RUNS), selected: arrayOf(str, MAX_RUNS) }),
  rows: shape({ runId: str, rows: arrayOf(row, MAX_ROWS_PER_MESSAGE), reset: bool }),
  status: shape({ runId: str, status: runStatus }),
};

const toHost: { [K in ChartToHost['type']]: Check } = {
  ready: () => true,
  select: shape({ runIds: arrayOf(maxLen(4096), MAX_RUNS) }),
  exportCsv: shape({ runId: maxLen(4096) }),
  // A PNG of a few charts; anything that is not a PNG data URL is refused before it is decoded.
  exportPng: shape({ dataUrl: (v) => typeof v === 'string' && v.length < 32 * 1024 * 1024 && v.startsWith('data:image/png;base64,') }),
};

export const validateHostToChart = (v: unknown) => validateMessage<HostToChart>(toChart, v);
export const validateChartToHost = (v: unknown) => validateMessage<ChartToHost>(toHost, v);

/** What the webview keeps in getState/setState so it comes back as it was after a reload. */
export interface ChartViewState {
  selected: string[];
  smoothing: number;
  logScale: boolean;
  xAxis: 'step' | 'time' | 'tokens';
}

export function isChartViewState(v: unknown): v is ChartViewState {
  return shape({
    selected: arrayOf(str, MAX_RUNS),
    smoothing: (x) => num(x) && (x as number) >= 0 && (x as number) < 1,
    logScale: bool,
    xAxis: oneOf('step', 'time', 'tokens'),
  })(v);
}

