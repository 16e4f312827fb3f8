// What the dataset commands share: naming files as the user typed them in errors, and the format flag.
import { resolve } from 'node:path';
import { InputError, UsageError } from '../args';
import type { CliIO } from '../command';
import { DATASET_FORMATS, DatasetFileError, OutputExistsError, type DatasetFormat } from '../../core/dataset/index';

export function describeIoError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory, expected a dataset file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'EEXIST': return 'already exists; pass --force to overwrite it';
    default: return err.message;
  }
}

export function isIoError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string'
    || (e instanceof Error && (e as NodeJS.ErrnoException).code === 'EISDIR');
}

/** Runs a dataset operation on `file` (as the user typed it): I/O failures and refusals become one-line errors. */
export async function onFile<T>(io: CliIO, file: string, op: (path: string) => Promise<T>): Promise<T> {
  try {
    return await op(resolve(io.cwd, file));
  } catch (e) {
    if (isIoError(e)) {
      const failed = e.path && resolve(io.cwd, file) !== e.path ? e.path : file;
      throw new InputError(`${failed}: ${describeIoError(e)}`);
    }
    if (e instanceof OutputExistsError) throw new InputError(e.message);
    throw e;
  }
}

/** A dataset that cannot be transformed as it is: the reasons go to stderr, exit 1. */
export function reportDatasetError(io: CliIO, e: unknown): number {
  if (e instanceof DatasetFileError) {
    io.stderr(e.message + '\n');
    return 1;
  }
  throw e;
}

export function formatFlag(value: unknown, flag: string): DatasetFormat | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(DATASET_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${DATASET_FORMATS.join(', ')}, got "${String(value)}"`);
  }
  return value as DatasetFormat;
}

/** Shows paths relative to where the user is, as they would type them. */
export function shown(io: CliIO, absolute: string): string {
  const rel = absolute.startsWith(io.cwd + '/') ? absolute.slice(io.cwd.length + 1) : absolute;
  return rel;
}
