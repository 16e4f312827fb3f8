// Whole-document and whole-file validation: thin drivers of DatasetScanner.
import type { ValidateOptions, ValidationResult } from './types';
import { DatasetScanner } from './scanner';
import { feedFile, feedText } from './feed';

/** Validates a whole document synchronously (the editor calls it from a worker thread). */
export function validateText(text: string, options: ValidateOptions & { file?: string } = {}): ValidationResult {
  const scanner = new DatasetScanner(options);
  feedText(text, scanner, options.file);
  return scanner.finish();
}

/** Validates a file by streaming it from disk; I/O errors (missing file, directory) reject with the errno error. */
export async function validateFile(path: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  const scanner = new DatasetScanner({ ...options, file: path });
  await feedFile(path, scanner);
  return scanner.finish();
}
