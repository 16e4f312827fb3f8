// Messages between the extension host and the dataset statistics webview, narrowed on `type` and validated on
// receipt on both sides: the webview is a separate page and a malformed message must become a clear error.
import type { DatasetStats } from '../../core/dataset/types';
import { arrayOf, isObj, num, oneOf, optional, shape, str, type Check } from './check';

export type HostToStatsView =
  | { type: 'loading'; file: string }
  | { type: 'stats'; file: string; stats: DatasetStats }
  | { type: 'error'; file: string; message: string };

export type StatsViewToHost =
  /** The page is listening: the host (re)sends what it has. */
  | { type: 'ready' }
  | { type: 'refresh' }
  /** Open the dataset itself in an editor. */
  | { type: 'openFile' };

/** What the webview keeps with `setState`, so the panel serializer can restore it after a reload. */
export interface StatsViewState {
  /** The dataset's URI as a string. */
  uri: string;
}

export class StatsProtocolError extends Error {}

const record = (c: Check): Check => (v) => isObj(v) && Object.values(v).every(c);

const formatName = oneOf('alpaca', 'chat', 'completion', 'preference', 'unknown');
const histogram: Check = (v) =>
  shape({ edges: arrayOf(num), counts: arrayOf(num) })(v) &&
  (v as { edges: number[]; counts: number[] }).edges.length === (v as { counts: number[] }).counts.length + 1;
const lengthStats = shape({ count: num, mean: num, min: num, p50: num, p90: num, p99: num, max: num, histogram });

/** Structural check of `DatasetStats`, field by field, so the page never renders from a half-formed object. */
export const isDatasetStats: Check = shape({
  file: str,
  format: formatName,
  records: num,
  invalid: num,
  formats: record(num),
  tasks: optional(shape({ field: oneOf('task', 'category'), counts: record(num) })),
  tokenizer: str,
  promptTokens: lengthStats,
  responseTokens: lengthStats,
  duplicates: num,
  duplicateRate: num,
  nearDuplicates: num,
  nearDuplicateRate: num,
  empty: num,
  emptyRate: num,
  errors: num,
  warnings: num,
});

const toView: Record<HostToStatsView['type'], Record<string, Check>> = {
  loading: { file: str },
  stats: { file: str, stats: isDatasetStats },
  error: { file: str, message: str },
};

const toHost: Record<StatsViewToHost['type'], Record<string, Check>> = {
  ready: {},
  refresh: {},
  openFile: {},
};

function validate<T>(raw: unknown, table: Record<string, Record<string, Check>>, side: string): T {
  if (!isObj(raw)) throw new StatsProtocolError(`${side}: message is not an object`);
  const type = raw.type;
  if (typeof type !== 'string' || !Object.hasOwn(table, type)) {
    throw new StatsProtocolError(`${side}: unknown message type ${JSON.stringify(type)}`);
  }
  for (const [field, check] of Object.entries(table[type])) {
    if (!check(raw[field])) throw new StatsProtocolError(`${side}: "${type}" message has a missing or malformed field "${field}"`);
  }
  return raw as T;
}

/** Validates a message the webview received from the host. */
export function parseHostToStatsView(raw: unknown): HostToStatsView {
  return validate<HostToStatsView>(raw, toView, 'message to stats view');
}

/** Validates a message the host received from the webview. */
export function parseStatsViewToHost(raw: unknown): StatsViewToHost {
  return validate<StatsViewToHost>(raw, toHost, 'message from stats view');
}

/** The restored state, or undefined when it is missing or not ours (a reload must never throw). */
export function parseStatsViewState(raw: unknown): StatsViewState | undefined {
  return isObj(raw) && typeof raw.uri === 'string' && raw.uri.length > 0 ? { uri: raw.uri } : undefined;
}
