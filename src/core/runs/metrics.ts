// metrics.jsonl as the trainer writes it: one JSON object per line, appended while a run trains.
// The chart tails the file, so parsing is incremental and tolerant of a half-written last line.

/** One row of metrics.jsonl. Train rows have no `split` (or `split: "train"`); eval rows have `split: "eval"`. */
export interface MetricsRow {
  step: number;
  split?: string;
  elapsed_s?: number;
  [key: string]: unknown;
}

export interface MetricsChunk {
  rows: MetricsRow[];
  /** Bytes of the input consumed: everything up to and including the last complete line. */
  consumed: number;
  /** Lines that were complete but not a metrics row (corrupt, or no numeric `step`), 1-based within this chunk. */
  badLines: number[];
}

/**
 * Parses the complete lines of `buffer`; a trailing line without its newline is left for the next read
 * (the trainer may be in the middle of writing it).
 */
export function parseMetricsChunk(buffer: Buffer | string, final = false): MetricsChunk {
  const text = typeof buffer === 'string' ? buffer : buffer.toString('utf8');
  const rows: MetricsRow[] = [];
  const badLines: number[] = [];
  let start = 0;
  let lineNo = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0 && !(final && start < text.length)) break;
    const end = nl < 0 ? text.length : nl;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = nl < 0 ? text.length : nl + 1;
    if (!line) continue;
    const row = parseRow(line);
    if (row) rows.push(row);
    else badLines.push(lineNo);
  }
  return { rows, consumed: Buffer.byteLength(text.slice(0, start), 'utf8'), badLines };
}

function parseRow(line: string): MetricsRow | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const row = v as MetricsRow;
  return typeof row.step === 'number' && Number.isFinite(row.step) ? row : undefined;
}

export function isEvalRow(row: MetricsRow): boolean {
  return row.split === 'eval';
}

/** Numeric fields that appear in the rows, in first-seen order (what the chart can plot). */
export function numericFields(rows: readonly MetricsRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && !seen.has(k)) seen.add(k);
  return [...seen];
}
