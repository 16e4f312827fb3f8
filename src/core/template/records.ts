// Records as the templates see them: every supported record format is brought to the variables a template reads,
// checking each field on the way so a bad record fails with the path of the field, not deep inside Jinja.
import { RenderError } from './errors';
import { hasSentinel } from './sentinels';

export interface ChatMessage {
  role: string;
  /** A string, or absent/null on an assistant message that only carries `tool_calls`. */
  content?: string | null;
  [key: string]: unknown;
}

/** The record normalised: one of the three renderable shapes, with field paths for errors. */
export type RecordInput =
  | { format: 'chat'; messages: ChatMessage[]; tools?: unknown[]; documents?: unknown[] }
  | { format: 'alpaca'; instruction: string; input: string; output: string; system?: string }
  | { format: 'completion'; prompt: string; completion: string };

export type RecordFormat = RecordInput['format'];

export interface ReadOptions {
  /** For generation: the response (`output`, `completion`, a final assistant message) may be absent. */
  responseOptional?: boolean;
}

export function readRecord(record: Record<string, unknown>, options: ReadOptions = {}): RecordInput {
  const response = (field: string) => (options.responseOptional && record[field] === undefined ? '' : text(record, field));
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new RenderError('a record must be a JSON object');
  if ('messages' in record) return { format: 'chat', messages: readMessages(record.messages, 'messages'), ...extras(record) };
  if ('chosen' in record || 'rejected' in record) {
    throw new RenderError('a preference record (prompt/chosen/rejected) renders as two completions: use renderPreference', 'chosen');
  }
  if ('instruction' in record) {
    return {
      format: 'alpaca',
      instruction: text(record, 'instruction'),
      input: optionalText(record, 'input') ?? '',
      output: response('output'),
      ...(optionalText(record, 'system') !== undefined ? { system: optionalText(record, 'system') } : {}),
    };
  }
  if ('prompt' in record || 'completion' in record) {
    if (Array.isArray(record.prompt) || Array.isArray(record.completion)) {
      // TRL's conversational prompt-completion: both halves are message lists.
      const prompt = readMessages(record.prompt, 'prompt');
      const completion = options.responseOptional && record.completion === undefined ? [] : readMessages(record.completion, 'completion');
      return { format: 'chat', messages: [...prompt, ...completion], ...extras(record) };
    }
    return { format: 'completion', prompt: text(record, 'prompt'), completion: response('completion') };
  }
  const keys = Object.keys(record);
  throw new RenderError(
    `cannot tell the record format from its fields (${keys.length ? keys.join(', ') : 'none'}): expected messages, instruction/output or prompt/completion`,
  );
}

/** Reads a preference record as the two completions it stands for. */
export function readPreference(record: Record<string, unknown>): { chosen: RecordInput; rejected: RecordInput } {
  const halves = (['chosen', 'rejected'] as const).map((side): RecordInput => {
    const prompt = record.prompt;
    const answer = record[side];
    if (Array.isArray(prompt) || Array.isArray(answer)) {
      // One side in messages and the other plain text (as the validator accepts): a text prompt is the user's turn,
      // a text answer the assistant's reply, as TRL reads mixed preference records.
      const before = prompt === undefined ? [] : typeof prompt === 'string' ? [{ role: 'user', content: checkText(prompt, 'prompt') }] : readMessages(prompt, 'prompt');
      const after = typeof answer === 'string' ? [{ role: 'assistant', content: checkText(answer, side) }] : readMessages(answer, side);
      return { format: 'chat', messages: [...before, ...after] };
    }
    return { format: 'completion', prompt: text(record, 'prompt'), completion: text(record, side) };
  });
  return { chosen: halves[0], rejected: halves[1] };
}

/** `tools` and `documents` go to chat templates as apply_chat_template passes them. */
function extras(record: Record<string, unknown>): { tools?: unknown[]; documents?: unknown[] } {
  const out: { tools?: unknown[]; documents?: unknown[] } = {};
  for (const key of ['tools', 'documents'] as const) {
    const v = record[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) throw new RenderError(`expected a list, got ${describe(v)}`, key);
    out[key] = v;
  }
  return out;
}

function readMessages(value: unknown, field: string): ChatMessage[] {
  if (!Array.isArray(value)) throw new RenderError(`expected a list of messages, got ${describe(value)}`, field);
  if (value.length === 0) throw new RenderError('the list of messages is empty', field);
  return value.map((m, i) => {
    const path = `${field}[${i}]`;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new RenderError(`expected a message object, got ${describe(m)}`, path);
    const msg = m as Record<string, unknown>;
    if (typeof msg.role !== 'string' || msg.role === '') throw new RenderError(`expected a role string, got ${describe(msg.role)}`, `${path}.role`);
    const content = msg.content;
    const toolCalls = msg.role === 'assistant' && Array.isArray(msg.tool_calls) && msg.tool_calls.length > 0;
    if (typeof content !== 'string' && !(toolCalls && (content === undefined || content === null))) {
      throw new RenderError(`expected a string, got ${describe(content)}`, `${path}.content`);
    }
    if (typeof content === 'string') checkText(content, `${path}.content`);
    return msg as ChatMessage;
  });
}

function text(record: Record<string, unknown>, field: string): string {
  const v = record[field];
  if (v === undefined) throw new RenderError('missing', field);
  if (typeof v !== 'string') throw new RenderError(`expected a string, got ${describe(v)}`, field);
  return checkText(v, field);
}

function optionalText(record: Record<string, unknown>, field: string): string | undefined {
  const v = record[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RenderError(`expected a string, got ${describe(v)}`, field);
  return checkText(v, field);
}

function checkText(v: string, field: string): string {
  if (hasSentinel(v)) throw new RenderError('contains a Unicode noncharacter (U+FDD0–U+FDD3) that the renderer reserves', field);
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}
