// Messages between the extension host and the dataset worker thread (dist/datasetWorker.js). Validation,
// statistics and transformations run there so the host's thread never blocks on a big file. Every request carries
// an `id` its answer repeats; both sides validate what they receive.
import { DATASET_FORMATS, type DatasetFormat, type DatasetStats, type Problem, type ProblemCode, type ValidateOptions } from '../../core/dataset/types';
import { isDatasetStats } from './datasetStats';
import { arrayOf, bool, int, isObj, num, oneOf, optional, shape, str, type Check } from './check';

/**
 * An editor buffer's text. Big buffers travel as UTF-8 chunks in transferred buffers: copying a 50 MB string into a
 * message would block the host for longer than it may.
 */
export type TextContent = { text: string } | { chunks: Uint8Array[] };

export type WorkerRequest =
  /** Validate an editor buffer (`file` names it in results). */
  | { type: 'validateText'; id: number; file: string; content: TextContent; options: ValidateOptions; maxProblems: number }
  /** Validate a file from disk, streaming: for files the editor does not sync and for commands. */
  | { type: 'validateFile'; id: number; path: string; options: ValidateOptions; maxProblems: number }
  /** Statistics of a file on disk, or of `content` (an unsaved buffer) when given. */
  | { type: 'stats'; id: number; file: string; content?: TextContent; options: ValidateOptions }
  | { type: 'convert'; id: number; input: string; output: string; to: DatasetFormat }
  /** Writes `${prefix}-train.jsonl` and `${prefix}-eval.jsonl`, as the CLI does. */
  | { type: 'split'; id: number; input: string; prefix: string; evalFraction: number; seed: number; stratify?: string }
  | { type: 'dedupe'; id: number; input: string; output: string; near: boolean; options: ValidateOptions };

/** A validation result cut to what the host can show without stalling; `errors`/`warnings` count all problems. */
export interface ValidationSummary {
  file: string;
  format: DatasetFormat | 'unknown';
  records: number;
  /** The first `maxProblems` problems, sorted by line then column. */
  problems: Problem[];
  errors: number;
  warnings: number;
  /** More problems exist than `problems` holds. */
  truncated: boolean;
}

export interface WrittenFile {
  path: string;
  records: number;
}

export type WorkerResponse =
  | { type: 'validated'; id: number; summary: ValidationSummary }
  | { type: 'stats'; id: number; stats: DatasetStats }
  /** `dropped`: records left out (duplicates removed, invalid lines skipped). */
  | { type: 'written'; id: number; outputs: WrittenFile[]; dropped: number }
  | { type: 'failed'; id: number; message: string };

export type WorkerRequestType = WorkerRequest['type'];

/** Which answer each request expects on success. */
export interface WorkerResultOf {
  validateText: Extract<WorkerResponse, { type: 'validated' }>;
  validateFile: Extract<WorkerResponse, { type: 'validated' }>;
  stats: Extract<WorkerResponse, { type: 'stats' }>;
  convert: Extract<WorkerResponse, { type: 'written' }>;
  split: Extract<WorkerResponse, { type: 'written' }>;
  dedupe: Extract<WorkerResponse, { type: 'written' }>;
}

export class WorkerProtocolError extends Error {}

const positive: Check = (v) => int(v) && (v as number) >= 1;

const FORMATS = DATASET_FORMATS;
// A record over the code union: adding a code to the core without listing it here fails to compile.
const PROBLEM_CODES = Object.keys({
  'json-parse': 1, 'not-object': 1, 'unknown-format': 1, 'mixed-format': 1, 'missing-field': 1, 'wrong-type': 1,
  'empty-field': 1, 'bad-role': 1, 'role-order': 1, duplicate: 1, 'near-duplicate': 1, 'too-long': 1,
  'identical-pair': 1, 'trailing-whitespace': 1, 'control-chars': 1,
} satisfies Record<ProblemCode, 1>);

const format = oneOf(...FORMATS);
const fraction: Check = (v) => num(v) && (v as number) >= 0 && (v as number) <= 1;
const options = shape({
  format: optional(format),
  maxTokens: optional((v) => int(v) && (v as number) > 0),
  nearDuplicateThreshold: optional(fraction),
  nearDuplicates: optional(bool),
});
const problem = shape({
  line: positive,
  column: positive,
  endColumn: optional(positive),
  severity: oneOf('error', 'warning', 'info'),
  code: oneOf(...PROBLEM_CODES),
  message: str,
  field: optional(str),
  data: optional(isObj),
});
const content: Check = (v) =>
  isObj(v) && (str(v.text) || (Array.isArray(v.chunks) && v.chunks.every((c) => c instanceof Uint8Array)));
const summary = shape({
  file: str, format: oneOf(...FORMATS, 'unknown'), records: int, problems: arrayOf(problem), errors: int, warnings: int, truncated: bool,
});

const requestFields: Record<WorkerRequestType, Record<string, Check>> = {
  validateText: { id: int, file: str, content, options, maxProblems: positive },
  validateFile: { id: int, path: str, options, maxProblems: positive },
  stats: { id: int, file: str, content: optional(content), options },
  convert: { id: int, input: str, output: str, to: format },
  split: {
    id: int, input: str, prefix: str,
    evalFraction: (v) => fraction(v) && (v as number) > 0 && (v as number) < 1, seed: int, stratify: optional(str),
  },
  dedupe: { id: int, input: str, output: str, near: bool, options },
};

const responseFields: Record<WorkerResponse['type'], Record<string, Check>> = {
  validated: { id: int, summary },
  stats: { id: int, stats: isDatasetStats },
  written: { id: int, outputs: arrayOf(shape({ path: str, records: int })), dropped: int },
  failed: { id: int, message: str },
};

function validate<T>(raw: unknown, table: Record<string, Record<string, Check>>, side: string): T {
  if (!isObj(raw)) throw new WorkerProtocolError(`${side}: message is not an object`);
  const type = raw.type;
  if (typeof type !== 'string' || !Object.hasOwn(table, type)) {
    throw new WorkerProtocolError(`${side}: unknown message type ${JSON.stringify(type)}`);
  }
  for (const [field, check] of Object.entries(table[type])) {
    if (!check(raw[field])) throw new WorkerProtocolError(`${side}: "${type}" message has a missing or malformed field "${field}"`);
  }
  return raw as T;
}

/** Validates a request the worker received. */
export function parseWorkerRequest(raw: unknown): WorkerRequest {
  return validate<WorkerRequest>(raw, requestFields, 'request to dataset worker');
}

/** Validates an answer the host received from the worker. */
export function parseWorkerResponse(raw: unknown): WorkerResponse {
  return validate<WorkerResponse>(raw, responseFields, 'answer from dataset worker');
}

/** The request id of a message that failed validation, when it has a usable one, so its caller can be told. */
export function requestIdOf(raw: unknown): number | undefined {
  return isObj(raw) && Number.isInteger(raw.id) ? (raw.id as number) : undefined;
}

/** The text a `TextContent` carries (chunks are UTF-8 split at arbitrary byte boundaries). */
export function contentText(content: TextContent): string {
  if ('text' in content) return content.text;
  const decoder = new TextDecoder('utf-8');
  let out = '';
  for (const c of content.chunks) out += decoder.decode(c, { stream: true });
  return out + decoder.decode();
}

/** The buffers to transfer (not copy) with a request carrying `content`. */
export function transferablesOf(content: TextContent | undefined): ArrayBuffer[] {
  return content && 'chunks' in content ? content.chunks.map((c) => c.buffer as ArrayBuffer) : [];
}
