// Numbers computed by Python reference code (see test/fixtures/metrics/make_reference_values.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReferenceValues {
  squad: Array<{ prediction: string; references: string[]; exact_match: number; f1: number }>;
  rouge_l: Array<{ prediction: string; reference: string; fmeasure: number; fmeasure_stemmed: number }>;
  bleu: {
    cases: Array<{ hypothesis: string; references: string[] }>;
    tokens: string[];
    sentence: Array<{ exp: number; floor: number; 'add-k': number }>;
    corpus_none: number;
  };
  porter: Record<string, string>;
}

export const reference: ReferenceValues = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/metrics/reference-values.json'), 'utf8'),
) as ReferenceValues;

/** Equal up to floating-point summation order. */
export function close(actual: number, expected: number, what: string, tolerance = 1e-12): void {
  if (!(Math.abs(actual - expected) <= tolerance)) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}
