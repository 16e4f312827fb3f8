// Strict and loose verification of a response against its checks, as IFEval's
// `test_instruction_following_strict` / `_loose` define them.
import { pyStrip } from '../pythonText';
import { CHECK_DEFINITIONS } from './definitions';
import type { ChecksResult } from './types';
import { assertValidChecks } from './validate';

/**
 * IFEval's loose variants: the response, without its first line, last line or both (a preamble like "Sure, here
 * it is:" or a closing remark), each also with every `*` removed (markdown emphasis).
 */
export function looseVariants(response: string): string[] {
  const lines = response.split('\n');
  const removeFirst = pyStrip(lines.slice(1).join('\n'));
  const removeLast = pyStrip(lines.slice(0, -1).join('\n'));
  const removeBoth = pyStrip(lines.slice(1, -1).join('\n'));
  const noStars = (s: string): string => s.replace(/\*/g, '');
  return [response, noStars(response), removeFirst, removeLast, removeBoth, noStars(removeFirst), noStars(removeLast), noStars(removeBoth)];
}

/** Runs every check; throws with the check index and field when the list is invalid (see `validateChecks`). */
export function runChecks(response: string, checks: unknown): ChecksResult {
  const valid = assertValidChecks(checks);
  const variants = looseVariants(response);
  // As in IFEval, an empty (or whitespace-only) response follows no instruction, even "at most 50 words".
  const passes = (r: string, test: (s: string) => boolean): boolean => pyStrip(r) !== '' && test(r);
  const outcomes = valid.map((check, index) => {
    const def = CHECK_DEFINITIONS[check.type];
    const test = (r: string): boolean => def.test(r, check);
    const strict = passes(response, test);
    return { index, type: check.type, strict, loose: strict || variants.some((v) => passes(v, test)) };
  });
  return {
    checks: outcomes,
    prompt_strict: outcomes.every((o) => o.strict),
    prompt_loose: outcomes.every((o) => o.loose),
  };
}
