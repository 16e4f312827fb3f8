// Check lists are user data: every problem is reported with the check's index and the offending field, so the
// dataset validator can put it on the record's line.
import { CHECK_DEFINITIONS, CHECK_TYPES } from './definitions';
import { regexProblem } from './safeRegex';
import type { Check, CheckProblem, ParamSpec } from './types';

function paramProblem(value: unknown, spec: ParamSpec): string | null {
  switch (spec.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `must be an integer, got ${JSON.stringify(value)}`;
      return value < spec.min ? `must be at least ${spec.min}, got ${value}` : null;
    case 'text':
      if (typeof value !== 'string') return `must be a string, got ${JSON.stringify(value)}`;
      return value.trim() === '' ? 'must not be empty' : null;
    case 'bool':
      return typeof value === 'boolean' ? null : `must be true or false, got ${JSON.stringify(value)}`;
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value) ? null : `must be one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`;
    case 'flags':
      return typeof value === 'string' ? null : `must be a string of regex flags, got ${JSON.stringify(value)}`;
  }
}

/** Every problem in a record's `checks` value; an empty list means `runChecks` will accept it. */
export function validateChecks(checks: unknown): CheckProblem[] {
  if (!Array.isArray(checks)) return [{ index: -1, field: 'checks', message: 'checks: must be an array of {"type": ...} objects' }];
  const problems: CheckProblem[] = [];
  checks.forEach((check: unknown, index) => {
    const at = `checks[${index}]`;
    const report = (field: string, message: string): void => {
      problems.push({ index, field: field ? `${at}.${field}` : at, message: `${field ? `${at}.${field}` : at}: ${message}` });
    };
    if (typeof check !== 'object' || check === null || Array.isArray(check)) {
      report('', 'must be an object with a "type"');
      return;
    }
    const c = check as Record<string, unknown>;
    if (typeof c.type !== 'string') {
      report('type', c.type === undefined ? 'missing' : `must be a string, got ${JSON.stringify(c.type)}`);
      return;
    }
    const def = CHECK_DEFINITIONS[c.type];
    if (!def) {
      report('type', `unknown check type "${c.type}" (known: ${CHECK_TYPES.join(', ')})`);
      return;
    }
    for (const key of Object.keys(c)) {
      if (key !== 'type' && !(key in def.params)) {
        const known = Object.keys(def.params);
        report(key, `"${c.type}" has no parameter "${key}" (${known.length ? `it takes ${known.join(', ')}` : 'it takes none'})`);
      }
    }
    for (const [name, spec] of Object.entries(def.params)) {
      const value = c[name];
      if (value === undefined) {
        if ((spec.kind === 'int' || spec.kind === 'text') && spec.required) report(name, `missing (required by "${c.type}")`);
        continue;
      }
      const problem = paramProblem(value, spec);
      if (problem) report(name, problem);
    }
    if (c.type === 'regex' && typeof c.pattern === 'string' && (c.flags === undefined || typeof c.flags === 'string')) {
      const problem = regexProblem(c.pattern, (c.flags as string | undefined) ?? '');
      if (problem) report(problem.field, problem.message);
    }
  });
  return problems;
}

/** The checks, typed, or an error listing every problem. */
export function assertValidChecks(checks: unknown): Check[] {
  const problems = validateChecks(checks);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
  return checks as Check[];
}
