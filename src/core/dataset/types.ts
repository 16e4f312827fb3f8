// The dataset core's vocabulary, shared by the CLI, the editor adapters, the annotator and the trainer.

/** Record formats of instruction data. `unknown` is a record none of them fits. */
export type DatasetFormat = 'alpaca' | 'chat' | 'completion' | 'preference';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['alpaca', 'chat', 'completion', 'preference'];

export type Severity = 'error' | 'warning' | 'info';

/** Stable problem codes: they appear in diagnostics (`code`), the CLI and quick fixes. */
export type ProblemCode =
  | 'json-parse'
  | 'not-object'
  | 'unknown-format'
  | 'mixed-format'
  | 'missing-field'
  | 'wrong-type'
  | 'empty-field'
  | 'bad-role'
  | 'role-order'
  | 'duplicate'
  | 'near-duplicate'
  | 'too-long'
  | 'identical-pair'
  | 'trailing-whitespace'
  | 'control-chars';

/** A problem at a place in the file. Lines and columns are 1-based, as editors and `file:line:col` show them. */
export interface Problem {
  line: number;
  column: number;
  /** End of the highlighted range on the same line (1-based, exclusive); absent means "to the end of the line". */
  endColumn?: number;
  severity: Severity;
  code: ProblemCode;
  message: string;
  /** The JSON path of the field concerned, e.g. `messages[2].role`, when there is one. */
  field?: string;
  /** Machine-readable details a quick fix needs (e.g. `{ suggestion: 'instruction' }`, `{ firstLine: 12 }`). */
  data?: Record<string, unknown>;
}

export interface ValidateOptions {
  /** Force one format instead of auto-detecting from the records. */
  format?: DatasetFormat;
  /** Token budget per record (prompt + response) for `too-long`. */
  maxTokens?: number;
  /** Jaccard similarity over shingles at or above which two records are near-duplicates (0..1). */
  nearDuplicateThreshold?: number;
  /**
   * Near-duplicate detection. `'normalized'` (the default): records whose text is the same once case, spacing and
   * punctuation are folded (similarity 1). `true` or `'minhash'`: also similar records, by MinHash similarity of
   * word 3-shingles at or above `nearDuplicateThreshold` (slower: about one more pass over the text, and a
   * 128-byte signature per record). `false`: exact duplicates only.
   */
  nearDuplicates?: boolean | 'normalized' | 'minhash';
  /** Keep at most this many problems (counts stay exact); default: all. */
  maxProblems?: number;
}

export interface ValidationResult {
  file: string;
  /** The format detected (or forced); `unknown` when no record fits any format. */
  format: DatasetFormat | 'unknown';
  /** Records read: non-blank JSONL lines, or elements of a `.json` array, valid or not. */
  records: number;
  /** Sorted by line, then column. */
  problems: Problem[];
  errors: number;
  warnings: number;
  /** True when `maxProblems` cut the list short. */
  truncated?: boolean;
}

/**
 * What `Problem.data` holds, per code, for quick fixes and tools. Ranges (`column`..`endColumn`) that point at a
 * JSON string (a key or a value) cover the whole literal including its quotes, so a fix replaces the range with
 * `JSON.stringify(newText)`.
 */
export interface ProblemDataShapes {
  'json-parse': { position?: number };
  'not-object': { actual: string };
  'unknown-format': { keys: string[] };
  /** `firstLine`: the first record of the file's format. */
  'mixed-format': { format: DatasetFormat; expected: DatasetFormat; firstLine?: number };
  /** `key` + `suggestion` when a present key looks like a misspelling of the missing one (range on that key). */
  'missing-field': { missing: string; key?: string; suggestion?: string };
  'wrong-type': { expected: string; actual: string };
  'empty-field': { field: string };
  /** `suggestion` is the nearest valid role, when one is close enough (range on the role string). */
  'bad-role': { role: string; suggestion?: string };
  'role-order': { index: number; role: string; reason: RoleOrderReason };
  /** The earlier identical line. */
  duplicate: { firstLine: number };
  /** The earlier similar record and the estimated Jaccard similarity of their normalized word shingles. */
  'near-duplicate': { firstLine: number; similarity: number };
  'too-long': { tokens: number; maxTokens: number };
  'identical-pair': Record<string, never>;
  /** `field`: JSON path of the string that ends with whitespace (range on that string). */
  'trailing-whitespace': { field: string };
  /** `codePoint`: the first offending character, written `U+0007`. */
  'control-chars': { field: string; codePoint: string };
}

export type RoleOrderReason =
  | 'system-not-first'
  | 'first-not-user'
  | 'repeated-role'
  | 'tool-without-call'
  | 'no-assistant'
  | 'ends-without-assistant';

/** Default token budget per record (prompt + response, built-in byte-level tokenizer) for `too-long`. */
export const DEFAULT_MAX_TOKENS = 2048;
/** Default estimated Jaccard similarity at or above which two records are near-duplicates. */
export const DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.8;

/** One record of a dataset with where it starts in the file. */
export interface ParsedRecord {
  /** 1-based line where the record starts (the line in JSONL; the element's first line in a `.json` array). */
  line: number;
  value: Record<string, unknown>;
  /** The record's own format; `undefined` when it fits none. */
  format: DatasetFormat | undefined;
  /** The record's source text exactly as written (a JSONL line without its line break and BOM). */
  raw: string;
}

export interface Histogram {
  /** Bin edges, `counts.length + 1` of them; bin i holds values in [edges[i], edges[i+1]) (the last bin is closed). */
  edges: number[];
  counts: number[];
}

export interface LengthStats {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  histogram: Histogram;
}

/** Statistics of a dataset: a plain JSON-serialisable object (the stats webview and `stats --json` show it). */
export interface DatasetStats {
  file: string;
  format: DatasetFormat | 'unknown';
  /** Records parsed as JSON objects. */
  records: number;
  /** Lines or elements that are not JSON objects (parse errors, arrays, scalars). */
  invalid: number;
  formats: Record<DatasetFormat | 'unknown', number>;
  /** Per-task counts, when records carry a `task` (else `category`) string field. */
  tasks?: { field: 'task' | 'category'; counts: Record<string, number> };
  tokenizer: string;
  promptTokens: LengthStats;
  responseTokens: LengthStats;
  duplicates: number;
  duplicateRate: number;
  nearDuplicates: number;
  nearDuplicateRate: number;
  /** Records with at least one empty required field. */
  empty: number;
  emptyRate: number;
  errors: number;
  warnings: number;
}
