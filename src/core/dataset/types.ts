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
  /** Turn near-duplicate detection off (it costs memory per record). */
  nearDuplicates?: boolean;
}

export interface ValidationResult {
  file: string;
  /** The format detected (or forced); `unknown` when no record fits any format. */
  format: DatasetFormat | 'unknown';
  records: number;
  problems: Problem[];
}
