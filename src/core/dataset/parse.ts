// Records with their line numbers, for the trainer, the annotator and the transformations.
import type { ParsedRecord, Problem, ValidateOptions, ValidationResult } from './types';
import { DatasetScanner } from './scanner';
import { feedFile, feedText } from './feed';

export interface LoadedDataset {
  records: ParsedRecord[];
  /** The full validation of the same pass. */
  result: ValidationResult;
  /** Problems per record line, for callers that act on single records. */
  problemsByLine: Map<number, readonly Problem[]>;
}

function collector(options: ValidateOptions & { file?: string }) {
  const records: ParsedRecord[] = [];
  const problemsByLine = new Map<number, readonly Problem[]>();
  const scanner = new DatasetScanner({
    ...options,
    onRecord: (r, problems) => {
      records.push(r);
      if (problems.length) problemsByLine.set(r.line, problems);
    },
  });
  return { scanner, done: (): LoadedDataset => ({ records, result: scanner.finish(), problemsByLine }) };
}

/** Parses and validates a document in one pass (`file` decides between JSONL and a `.json` array). */
export function loadDatasetText(text: string, options: ValidateOptions & { file?: string } = {}): LoadedDataset {
  const c = collector(options);
  feedText(text, c.scanner, options.file);
  return c.done();
}

export async function loadDatasetFile(path: string, options: ValidateOptions = {}): Promise<LoadedDataset> {
  const c = collector({ ...options, file: path });
  await feedFile(path, c.scanner);
  return c.done();
}

/** The JSON-object records of a document with their lines; lines that are not objects are left out (see validateText). */
export function parseDataset(text: string, options: { file?: string; format?: ValidateOptions['format'] } = {}): ParsedRecord[] {
  return loadDatasetText(text, { ...options, nearDuplicates: false }).records;
}

export async function parseDatasetFile(path: string, options: { format?: ValidateOptions['format'] } = {}): Promise<ParsedRecord[]> {
  return (await loadDatasetFile(path, { ...options, nearDuplicates: false })).records;
}
