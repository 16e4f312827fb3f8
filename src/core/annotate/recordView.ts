// What the webview shows of a record: a short row for the list, and the full record as labelled, editable
// text fields (chat as a conversation, preference as two sides, ranking as an ordered list).
import type { JsonPath } from './jsonLineEdit';
import { readReview, statusOf, type Review, type StatusFilterValue } from './review';
import { readRanking } from './ranking';
import { isPlainObject, recordKind, taskOf, type RecordKind } from './recordKind';

export interface FieldView {
  path: JsonPath;
  label: string;
  value: string;
  /** The chat role, for messages. */
  role?: string;
}

export interface ProblemView {
  code: string;
  message: string;
  severity: 'error' | 'warning' | 'info';
  field?: string;
}

export interface RecordView {
  /** 0-based document line. */
  line: number;
  kind: RecordKind | 'invalid';
  status: StatusFilterValue;
  review: Review;
  task?: string;
  /** Prompt-side fields in reading order (alpaca instruction/input, completion prompt, chat turns, preference prompt). */
  prompt: FieldView[];
  /** Response-side fields (alpaca output, completion, the final assistant turn is part of `prompt` for chat). */
  response: FieldView[];
  /** Preference records: both sides. */
  chosen?: FieldView[];
  rejected?: FieldView[];
  /** Ranking records: responses in ranked order, best first. */
  ranked?: Array<{ index: number; fields: FieldView[] }>;
  /** Keys the annotator does not show as fields, kept untouched (listed so the user knows they exist). */
  otherKeys: string[];
  problems: ProblemView[];
  /** The line itself, shown when it is not a JSON object. */
  raw?: string;
}

export interface RowView {
  line: number;
  kind: RecordKind | 'invalid';
  status: StatusFilterValue;
  rating?: number;
  mark?: string;
  snippet: string;
  problemCount: number;
}

const SNIPPET = 140;

function clip(s: string, n = SNIPPET): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/** A line's record, or undefined when it is not a JSON object. */
export function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isPlainObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A string or a list of chat messages at `path` as fields; other types are not editable here. */
function fieldsOf(value: unknown, path: JsonPath, label: string): FieldView[] {
  if (typeof value === 'string') return [{ path, label, value }];
  if (Array.isArray(value)) {
    const out: FieldView[] = [];
    value.forEach((m, i) => {
      if (isPlainObject(m) && typeof m.content === 'string') {
        const role = typeof m.role === 'string' ? m.role : '?';
        out.push({ path: [...path, i, 'content'], label: role, value: m.content, role });
      }
    });
    return out;
  }
  return [];
}

const SHOWN_KEYS: Record<RecordKind, readonly string[]> = {
  alpaca: ['instruction', 'input', 'output'],
  chat: ['messages'],
  completion: ['prompt', 'completion'],
  preference: ['prompt', 'chosen', 'rejected'],
  ranking: ['prompt', 'responses', 'ranking'],
  unknown: [],
};

export function recordView(line: number, text: string, problems: ProblemView[] = []): RecordView {
  const record = parse(text);
  if (!record) {
    return { line, kind: 'invalid', status: 'unreviewed', review: {}, prompt: [], response: [], otherKeys: [], problems, raw: text };
  }
  const kind = recordKind(record);
  const { review, problems: reviewProblems } = readReview(record);
  const view: RecordView = {
    line, kind, status: statusOf(review), review, prompt: [], response: [], problems: [...problems],
    otherKeys: Object.keys(record).filter((k) => k !== 'review' && !SHOWN_KEYS[kind].includes(k)),
  };
  for (const p of reviewProblems) view.problems.push({ code: 'review', message: p.message, severity: 'warning', field: p.field });
  const task = taskOf(record);
  if (task !== undefined) view.task = task;
  switch (kind) {
    case 'alpaca':
      view.prompt = [...fieldsOf(record.instruction, ['instruction'], 'instruction'), ...fieldsOf(record.input, ['input'], 'input')];
      view.response = fieldsOf(record.output, ['output'], 'output');
      break;
    case 'completion':
      view.prompt = fieldsOf(record.prompt, ['prompt'], 'prompt');
      view.response = fieldsOf(record.completion, ['completion'], 'completion');
      break;
    case 'chat':
      view.prompt = fieldsOf(record.messages, ['messages'], 'messages');
      break;
    case 'preference':
      view.prompt = fieldsOf(record.prompt, ['prompt'], 'prompt');
      view.chosen = fieldsOf(record.chosen, ['chosen'], 'chosen');
      view.rejected = fieldsOf(record.rejected, ['rejected'], 'rejected');
      break;
    case 'ranking': {
      view.prompt = fieldsOf(record.prompt, ['prompt'], 'prompt');
      const { ranking, problem } = readRanking(record);
      const responses = record.responses as unknown[];
      view.ranked = ranking.map((index) => ({ index, fields: fieldsOf(responses[index], ['responses', index], `response ${index}`) }));
      if (problem) view.problems.push({ code: 'ranking', message: problem, severity: 'warning', field: 'ranking' });
      break;
    }
    case 'unknown':
      // Still show every string so the record can be read and fixed.
      for (const [k, v] of Object.entries(record)) if (k !== 'review') view.prompt.push(...fieldsOf(v, [k], k));
      view.otherKeys = view.otherKeys.filter((k) => typeof record[k] !== 'string');
      break;
  }
  return view;
}

function firstText(record: Record<string, unknown>, kind: RecordKind): string {
  switch (kind) {
    case 'alpaca': return String(record.instruction ?? '');
    case 'completion': case 'preference': case 'ranking': {
      const p = record.prompt;
      if (typeof p === 'string') return p;
      return Array.isArray(p) ? fieldsOf(p, [], '').map((f) => f.value).join(' ') : '';
    }
    case 'chat': {
      const first = fieldsOf(record.messages, [], '').find((f) => f.role === 'user');
      return first?.value ?? '';
    }
    default: return Object.values(record).find((v): v is string => typeof v === 'string') ?? '';
  }
}

export function rowView(line: number, text: string, problemCount = 0): RowView {
  const record = parse(text);
  if (!record) return { line, kind: 'invalid', status: 'unreviewed', snippet: clip(text), problemCount };
  const kind = recordKind(record);
  const { review } = readReview(record);
  const row: RowView = { line, kind, status: statusOf(review), snippet: clip(firstText(record, kind)), problemCount };
  if (review.rating !== undefined) row.rating = review.rating;
  if (review.mark !== undefined) row.mark = review.mark;
  return row;
}
