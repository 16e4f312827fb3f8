// Shared by the dataset tests: where the fixture files are, and validation of one of them.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { validateText, validateFile, type Problem, type ValidationResult } from '../../../src/core/dataset/index';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'datasets');
export const SAMPLES = join(__dirname, '..', '..', '..', 'media', 'samples');

export const fixture = (name: string) => join(FIXTURES, name);
export const readFixture = (name: string) => readFileSync(fixture(name), 'utf8');

/** Validates a fixture both ways (whole text and streamed from disk) and checks they agree. */
export async function validateFixture(name: string, options = {}): Promise<ValidationResult> {
  const fromText = validateText(readFixture(name), { ...options, file: name });
  const fromFile = await validateFile(fixture(name), options);
  if (JSON.stringify(fromText.problems) !== JSON.stringify(fromFile.problems)) {
    throw new Error(`validateText and validateFile disagree on ${name}`);
  }
  return fromText;
}

export const codes = (r: ValidationResult) => r.problems.map((p) => `${p.line}:${p.code}`);
export const only = (r: ValidationResult, code: Problem['code']) => r.problems.filter((p) => p.code === code);
