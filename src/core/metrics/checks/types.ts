// Verifiable instruction-following constraints attached to an evaluation record (`"checks": [...]`).

/** One constraint as it appears in a record, e.g. `{"type": "max_words", "n": 50}`. */
export interface Check {
  type: string;
  [param: string]: unknown;
}

/** A problem with one check; `field` is a JSON path such as `checks[2].n` that the dataset validator can point at. */
export interface CheckProblem {
  index: number;
  field: string;
  message: string;
}

/** The outcome of one check on one response. */
export interface CheckOutcome {
  index: number;
  type: string;
  strict: boolean;
  /** Passed on the response or any of IFEval's loose variants of it. */
  loose: boolean;
}

export interface ChecksResult {
  checks: CheckOutcome[];
  /** Every check passed strictly. */
  prompt_strict: boolean;
  /** Every check passed loosely. */
  prompt_loose: boolean;
}

export type ParamSpec =
  | { kind: 'int'; min: number; required: boolean }
  | { kind: 'text'; required: boolean }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'flags' };

export interface CheckDefinition {
  params: Readonly<Record<string, ParamSpec>>;
  /** One line for docs and error messages. */
  summary: string;
  /** Whether `response` satisfies the check; params have been validated. */
  test(response: string, params: Readonly<Record<string, unknown>>): boolean;
}
