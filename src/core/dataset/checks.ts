// Schema checks of one record against one format. Problems name a JSON path and which part of it to highlight;
// the scanner turns that into line and columns only for records that have problems.
import type { DatasetFormat, ProblemCode, RoleOrderReason, Severity } from './types';
import { FORMAT_KEYS, REQUIRED_KEYS, isRecord } from './detect';
import { looksLike, nearest } from './suggest';
import { joinPath } from './jsonLocate';

export interface Issue {
  code: ProblemCode;
  severity: Severity;
  message: string;
  /** JSON path of the member concerned ('' = the whole record). */
  path: string;
  /** Highlight the member's key, its value, or the whole record. */
  target: 'key' | 'value';
  data?: Record<string, unknown>;
}

export const ROLES = ['system', 'user', 'assistant', 'tool'] as const;
/** Role names other datasets use (ShareGPT, Gemini, OpenAI) and what they mean here. */
const ROLE_SYNONYMS: Record<string, string> = {
  human: 'user', gpt: 'assistant', bot: 'assistant', model: 'assistant', ai: 'assistant', chatgpt: 'assistant',
  function: 'tool', ipython: 'tool', developer: 'system', sys: 'system', usr: 'user', customer: 'user', agent: 'assistant',
};

export function suggestRole(role: string): string | undefined {
  const lower = role.trim().toLowerCase();
  if ((ROLES as readonly string[]).includes(lower)) return lower;
  return ROLE_SYNONYMS[lower] ?? nearest(lower, ROLES);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function checkRecord(value: Record<string, unknown>, format: DatasetFormat): Issue[] {
  const issues: Issue[] = [];
  switch (format) {
    case 'alpaca':
      requiredString(value, 'alpaca', 'instruction', issues);
      optionalString(value, '', 'input', issues);
      requiredString(value, 'alpaca', 'output', issues);
      break;
    case 'completion':
      requiredString(value, 'completion', 'prompt', issues);
      requiredString(value, 'completion', 'completion', issues);
      break;
    case 'chat':
      if (present(value, '', 'messages', issues, format)) checkMessages(value.messages, 'messages', issues, true);
      break;
    case 'preference':
      if ('responses' in value && !('chosen' in value) && !('rejected' in value)) {
        checkRanking(value, issues);
        break;
      }
      for (const k of REQUIRED_KEYS.preference) {
        if (!present(value, '', k, issues, format)) continue;
        const v = value[k];
        if (typeof v === 'string') emptyCheck(v, k, issues);
        else if (Array.isArray(v)) checkMessages(v, k, issues, false);
        else issues.push(wrongType(k, 'a string or a list of messages', v));
      }
      if (value.chosen !== undefined && sameContent(value.chosen, value.rejected)) {
        issues.push({ code: 'identical-pair', severity: 'error', path: 'rejected', target: 'value',
          message: '"chosen" and "rejected" are the same: the pair teaches no preference', data: {} });
      }
      break;
  }
  return issues;
}

/** `{prompt, responses: [...], ranking?: [indices best→worst]}`: two or more responses, ranking a permutation of them. */
function checkRanking(value: Record<string, unknown>, issues: Issue[]): void {
  if (present(value, '', 'prompt', issues, 'preference')) {
    const p = value.prompt;
    if (typeof p === 'string') emptyCheck(p, 'prompt', issues);
    else if (Array.isArray(p)) checkMessages(p, 'prompt', issues, false);
    else issues.push(wrongType('prompt', 'a string or a list of messages', p));
  }
  const responses = value.responses;
  if (!Array.isArray(responses) || responses.length < 2) {
    issues.push(wrongType('responses', 'a list of two or more responses', responses));
    return;
  }
  responses.forEach((r, i) => {
    if (typeof r === 'string') emptyCheck(r, `responses[${i}]`, issues);
    else if (Array.isArray(r)) checkMessages(r, `responses[${i}]`, issues, false);
    else issues.push(wrongType(`responses[${i}]`, 'a string or a list of messages', r));
  });
  if (value.ranking === undefined) return;
  const ranking = value.ranking;
  const ok = Array.isArray(ranking) && ranking.length === responses.length
    && ranking.every((x) => Number.isInteger(x) && x >= 0 && x < responses.length)
    && new Set(ranking).size === ranking.length;
  if (!ok) issues.push(wrongType('ranking', `a permutation of the response indices 0..${responses.length - 1}, best first`, ranking));
}

function sameContent(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.trim() === b.trim();
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Reports a missing key (pointing at a misspelled one when there is one); true when the key is present. */
function present(obj: Record<string, unknown>, parent: string, key: string, issues: Issue[], format?: DatasetFormat): boolean {
  if (key in obj) return true;
  const known = format ? FORMAT_KEYS[format] : [key];
  const typo = Object.keys(obj).find((k) => !known.includes(k) && looksLike(k, key));
  const where = parent ? ` in ${parent}` : '';
  if (typo !== undefined) {
    issues.push({ code: 'missing-field', severity: 'error', path: joinPath(parent, typo), target: 'key',
      message: `missing "${key}"${where}; "${typo}" looks like a misspelling of it`, data: { missing: key, key: typo, suggestion: key } });
  } else {
    issues.push({ code: 'missing-field', severity: 'error', path: parent, target: 'value',
      message: `missing required field "${key}"${where}`, data: { missing: key } });
  }
  return false;
}

function wrongType(path: string, expected: string, v: unknown): Issue {
  return { code: 'wrong-type', severity: 'error', path, target: 'value',
    message: `"${path}" must be ${expected}, not ${typeName(v)}`, data: { expected, actual: typeName(v) } };
}

function emptyCheck(s: string, path: string, issues: Issue[]): void {
  if (s.trim() === '') {
    issues.push({ code: 'empty-field', severity: 'error', path, target: 'value',
      message: `"${path}" is ${s === '' ? 'empty' : 'only whitespace'}`, data: { field: path } });
  }
}

function requiredString(obj: Record<string, unknown>, format: DatasetFormat, key: string, issues: Issue[]): void {
  const path = key;
  if (!present(obj, '', key, issues, format)) return;
  const v = obj[key];
  if (typeof v !== 'string') issues.push(wrongType(path, 'a string', v));
  else emptyCheck(v, path, issues);
}

function optionalString(obj: Record<string, unknown>, parent: string, key: string, issues: Issue[]): void {
  const v = obj[key];
  if (v === undefined || v === null || typeof v === 'string') return;
  issues.push(wrongType(joinPath(parent, key), 'a string', v));
}

function checkMessages(list: unknown, path: string, issues: Issue[], checkOrder: boolean): void {
  if (!Array.isArray(list)) {
    issues.push(wrongType(path, 'a list of messages', list));
    return;
  }
  if (list.length === 0) {
    issues.push({ code: 'empty-field', severity: 'error', path, target: 'value', message: `"${path}" has no messages`, data: { field: path } });
    return;
  }
  const roles: Array<string | undefined> = [];
  for (let i = 0; i < list.length; i++) {
    const mPath = joinPath(path, i);
    const m = list[i];
    roles.push(undefined);
    if (!isRecord(m)) { issues.push(wrongType(mPath, 'a message object {role, content}', m)); continue; }
    if (present(m, mPath, 'role', issues)) {
      const role = m.role;
      const rPath = joinPath(mPath, 'role');
      if (typeof role !== 'string') issues.push(wrongType(rPath, 'a string', role));
      else if ((ROLES as readonly string[]).includes(role)) roles[i] = role;
      else {
        const suggestion = suggestRole(role);
        issues.push({ code: 'bad-role', severity: 'error', path: rPath, target: 'value',
          message: `role "${role}" is not one of ${ROLES.join(', ')}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          data: suggestion ? { role, suggestion } : { role } });
        roles[i] = suggestion;
      }
    }
    // an assistant turn that calls tools may have no text
    const toolCall = Array.isArray(m.tool_calls) && m.role === 'assistant';
    if (!('content' in m)) {
      if (!toolCall) present(m, mPath, 'content', issues);
    } else {
      const c = m.content;
      const cPath = joinPath(mPath, 'content');
      if (typeof c === 'string') { if (!toolCall) emptyCheck(c, cPath, issues); }
      else if (!(c === null && toolCall)) issues.push(wrongType(cPath, 'a string', c));
    }
  }
  if (checkOrder) checkRoleOrder(roles, path, issues);
}

function checkRoleOrder(roles: Array<string | undefined>, path: string, issues: Issue[]): void {
  const order = (i: number, reason: RoleOrderReason, message: string, severity: Severity = 'error') => {
    issues.push({ code: 'role-order', severity, path: i < 0 ? path : joinPath(joinPath(path, i), 'role'), target: i < 0 ? 'key' : 'value',
      message, data: { index: i, role: i < 0 ? '' : roles[i], reason } });
  };
  let prev: string | undefined;
  let firstTurn = true;
  for (let i = 0; i < roles.length; i++) {
    const r = roles[i];
    if (r === undefined) { prev = undefined; continue; }
    if (r === 'system') {
      if (i > 0) order(i, 'system-not-first', `a system message may only come first (message ${i + 1})`);
      prev = r;
      continue;
    }
    if (firstTurn && r !== 'user') order(i, 'first-not-user', `the conversation starts with ${r === 'assistant' ? 'an' : 'a'} ${r} turn; the first turn after the system prompt must be the user's`);
    else if (r === prev && r !== 'tool') order(i, 'repeated-role', `two ${r} turns in a row (messages ${i} and ${i + 1})`);
    else if (r === 'tool' && prev !== 'assistant' && prev !== 'tool') order(i, 'tool-without-call', `a tool result (message ${i + 1}) must follow an assistant turn that called the tool`);
    firstTurn = false;
    prev = r;
  }
  const valid = roles.filter((r) => r !== undefined);
  if (valid.length === roles.length || valid.length > 0) {
    if (!valid.includes('assistant')) order(-1, 'no-assistant', 'the conversation has no assistant turn: there is nothing to learn from it');
    else {
      const last = roles.length - 1;
      if (roles[last] !== undefined && roles[last] !== 'assistant' && roles[last] !== 'tool') {
        order(last, 'ends-without-assistant', `the conversation ends with a ${roles[last]} turn that no assistant turn answers`, 'warning');
      }
    }
  }
}
