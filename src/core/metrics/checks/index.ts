export type { Check, CheckDefinition, CheckOutcome, CheckProblem, ChecksResult } from './types';
export { CHECK_DEFINITIONS, CHECK_TYPES } from './definitions';
export { validateChecks, assertValidChecks } from './validate';
export { runChecks, looseVariants } from './run';
export { splitIntoSentences } from './sentences';
export { regexProblem, MAX_PATTERN_LENGTH } from './safeRegex';
