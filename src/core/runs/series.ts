// Turning metrics rows into chart series: x axis choice, smoothing, downsampling and CSV export.
import { isEvalRow, type MetricsRow } from './metrics';

export type XAxis = 'step' | 'time' | 'tokens';

export interface Series {
  x: number[];
  y: number[];
}

/** The x value of a row; rows without what the axis needs are skipped (undefined). */
export function xOf(row: MetricsRow, axis: XAxis, tokensSoFar: number): number | undefined {
  if (axis === 'step') return row.step;
  if (axis === 'time') return typeof row.elapsed_s === 'number' ? row.elapsed_s : undefined;
  return tokensSoFar;
}

/**
 * One metric of one split as (x, y) points. `tokens` accumulates each train row's `tokens` field, or
 * tokens_per_second × the time since the previous row when a row lacks it.
 */
export function extractSeries(rows: readonly MetricsRow[], field: string, split: 'train' | 'eval', axis: XAxis): Series {
  const x: number[] = [];
  const y: number[] = [];
  let tokens = 0;
  let lastElapsed = 0;
  for (const r of rows) {
    const evalRow = isEvalRow(r);
    if (!evalRow) {
      if (typeof r.tokens === 'number') tokens += r.tokens;
      else if (typeof r.tokens_per_second === 'number' && typeof r.elapsed_s === 'number') tokens += r.tokens_per_second * Math.max(0, r.elapsed_s - lastElapsed);
      if (typeof r.elapsed_s === 'number') lastElapsed = r.elapsed_s;
    }
    if (evalRow !== (split === 'eval')) continue;
    const v = r[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const xv = xOf(r, axis, tokens);
    if (xv === undefined) continue;
    x.push(xv);
    y.push(v);
  }
  return { x, y };
}

/**
 * Exponential moving average with TensorBoard's debiasing, so the first points are not pulled towards 0.
 * weight 0 = raw values, 0.99 = very smooth.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (!(weight > 0)) return values.slice();
  const w = Math.min(weight, 0.999);
  const out = new Array<number>(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) { out[i] = v; continue; }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = last / (1 - Math.pow(w, n));
  }
  return out;
}

/**
 * Min/max-preserving downsampling to about `buckets` × 2 points: spikes in the loss stay visible,
 * and drawing cost stays flat however long the run is.
 */
export function downsampleMinMax(s: Series, buckets: number): Series {
  const n = s.x.length;
  if (n <= buckets * 2 || buckets < 1) return { x: s.x.slice(), y: s.y.slice() };
  const x: number[] = [];
  const y: number[] = [];
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if (s.y[i] < s.y[lo]) lo = i;
      if (s.y[i] > s.y[hi]) hi = i;
    }
    const [a, c] = lo <= hi ? [lo, hi] : [hi, lo];
    x.push(s.x[a]); y.push(s.y[a]);
    if (c !== a) { x.push(s.x[c]); y.push(s.y[c]); }
  }
  return { x, y };
}

/** CSV of all rows: one column per field seen, rows in file order, RFC 4180 quoting. */
export function rowsToCsv(rows: readonly MetricsRow[]): string {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); cols.push(k); }
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
