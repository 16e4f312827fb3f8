// Convert, split and dedupe as file operations: they read a dataset, write new files, and never touch the input.
// An existing output is refused unless `force`; an output that is the input is always refused.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { DatasetFormat, ParsedRecord } from './types';
import { loadDatasetFile, type LoadedDataset } from './parse';
import { convertRecords } from './convert';
import { splitRecords } from './split';
import { dedupeRecords, type DedupeOptions, type RemovedRecord } from './dedupe';

/** The output exists (and `force` was not given), or would overwrite an input. */
export class OutputExistsError extends Error {}

/** The input cannot be transformed as it stands: its message lists `file:line: reason` for each blocking record. */
export class DatasetFileError extends Error {
  constructor(readonly file: string, readonly reasons: Array<{ line: number; message: string }>, summary: string) {
    const shown = reasons.slice(0, 10).map((r) => `${file}:${r.line}: ${r.message}`);
    if (reasons.length > 10) shown.push(`… and ${reasons.length - 10} more`);
    super([summary, ...shown].join('\n'));
  }
}

export interface WriteOptions {
  force?: boolean;
}

/** Loads a dataset for a transformation; lines that are not JSON objects would be lost, so they stop it. */
export async function loadForTransform(path: string): Promise<LoadedDataset> {
  const loaded = await loadDatasetFile(path, { nearDuplicates: false });
  const blocking = loaded.result.problems.filter((p) => p.code === 'json-parse' || p.code === 'not-object');
  if (blocking.length) {
    throw new DatasetFileError(path, blocking.map((p) => ({ line: p.line, message: p.message })),
      `${path}: ${blocking.length} line${blocking.length === 1 ? ' is' : 's are'} not JSON records and would be lost; fix or remove ${blocking.length === 1 ? 'it' : 'them'} first:`);
  }
  return loaded;
}

/** The text of a record in a JSONL output: exactly as written when it was one line, else re-serialised. */
export function recordLine(r: ParsedRecord): string {
  return r.raw.includes('\n') ? JSON.stringify(r.value) : r.raw;
}

export async function writeNewFile(path: string, lines: readonly string[], inputs: readonly string[], options: WriteOptions = {}): Promise<void> {
  if (inputs.some((i) => resolve(i) === resolve(path))) throw new OutputExistsError(`${path}: the output would overwrite the input; choose another name`);
  if (!options.force && existsSync(path)) throw new OutputExistsError(`${path}: already exists; pass --force to overwrite it`);
  await writeFile(path, lines.length ? lines.join('\n') + '\n' : '', { flag: options.force ? 'w' : 'wx' });
}

export async function convertFile(input: string, output: string, to: DatasetFormat, options: WriteOptions = {}): Promise<{ records: number }> {
  const { records } = await loadForTransform(input);
  const { converted, failures } = convertRecords(records, to);
  if (failures.length) {
    throw new DatasetFileError(input, failures.map((f) => ({ line: f.line ?? 0, message: f.message.replace(/^line \d+: /, '') })),
      `${input}: ${failures.length} record${failures.length === 1 ? '' : 's'} cannot be converted to ${to}; nothing was written:`);
  }
  await writeNewFile(output, converted.map((r) => JSON.stringify(r)), [input], options);
  return { records: converted.length };
}

/** `data/x.jsonl` → `data/x` (the prefix of `data/x-train.jsonl` and `data/x-eval.jsonl`). */
export function defaultSplitPrefix(input: string): string {
  const ext = extname(input);
  return join(dirname(input), basename(input, ext));
}

export interface SplitFileOptions extends WriteOptions {
  evalFraction: number;
  seed?: number;
  /** Field to stratify by (e.g. `task`). */
  stratify?: string;
  /** Output prefix; default: the input path without its extension. */
  prefix?: string;
}

export async function splitFile(input: string, options: SplitFileOptions): Promise<{ train: string; eval: string; trainCount: number; evalCount: number; groups?: Record<string, { total: number; eval: number }> }> {
  const { records } = await loadForTransform(input);
  const field = options.stratify;
  if (field && !records.some((r) => r.value[field] !== undefined)) {
    throw new DatasetFileError(input, [], `${input}: no record has a "${field}" field to stratify by`);
  }
  const split = splitRecords(records, {
    evalFraction: options.evalFraction,
    seed: options.seed,
    stratify: field ? (r) => (r.value[field] === undefined ? '(none)' : typeof r.value[field] === 'string' ? (r.value[field] as string) : JSON.stringify(r.value[field])) : undefined,
  });
  const prefix = options.prefix ?? defaultSplitPrefix(input);
  const trainPath = `${prefix}-train.jsonl`;
  const evalPath = `${prefix}-eval.jsonl`;
  // check both before writing either, so a refusal leaves nothing half-done
  for (const p of [trainPath, evalPath]) {
    if (resolve(p) === resolve(input)) throw new OutputExistsError(`${p}: the output would overwrite the input; choose another prefix`);
    if (!options.force && existsSync(p)) throw new OutputExistsError(`${p}: already exists; pass --force to overwrite it`);
  }
  await writeNewFile(trainPath, split.train.map(recordLine), [input], options);
  await writeNewFile(evalPath, split.eval.map(recordLine), [input], options);
  return { train: trainPath, eval: evalPath, trainCount: split.train.length, evalCount: split.eval.length, ...(split.groups ? { groups: split.groups } : {}) };
}

export async function dedupeFile(input: string, output: string, options: WriteOptions & DedupeOptions = {}): Promise<{ kept: number; removed: RemovedRecord[] }> {
  const { records } = await loadForTransform(input);
  const { kept, removed } = dedupeRecords(records, options);
  await writeNewFile(output, kept.map(recordLine), [input], options);
  return { kept: kept.length, removed };
}
