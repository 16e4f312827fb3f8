// Conversion between record formats through one intermediate shape (system prompt + turns + rejected answer).
// Keys that are not the format's own are carried over untouched; a `system` key and a `rejected` key are the
// homes of a system prompt and a rejected answer in formats that have no place for them, so round trips keep them.
import type { DatasetFormat } from './types';
import { FORMAT_KEYS, detectFormat, isRecord } from './detect';

export class ConversionError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line !== undefined ? `line ${line}: ${message}` : message);
  }
}

interface Message {
  role: string;
  content: unknown;
  [key: string]: unknown;
}

interface Conversation {
  system?: string;
  turns: Message[];
  rejected?: unknown;
  extras: Record<string, unknown>;
}

const joinPrompt = (instruction: string, input: unknown) =>
  typeof input === 'string' && input.trim() !== '' ? `${instruction}\n\n${input}` : instruction;

function toConversation(record: Record<string, unknown>, from: DatasetFormat): Conversation {
  const extras: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!FORMAT_KEYS[from].includes(k)) extras[k] = v;
  const conv: Conversation = { turns: [], extras };
  const take = (k: string) => {
    const v = extras[k];
    delete extras[k];
    return v;
  };
  const str = (k: string): string => {
    const v = record[k];
    if (typeof v !== 'string') throw new ConversionError(`"${k}" must be a string to convert this record`);
    return v;
  };
  if (from !== 'chat' && typeof extras.system === 'string') conv.system = take('system') as string;
  if ((from === 'alpaca' || from === 'completion' || from === 'chat') && 'rejected' in extras) conv.rejected = take('rejected');
  switch (from) {
    case 'alpaca':
      conv.turns = [{ role: 'user', content: joinPrompt(str('instruction'), record.input) }, { role: 'assistant', content: str('output') }];
      break;
    case 'completion':
      conv.turns = [{ role: 'user', content: str('prompt') }, { role: 'assistant', content: str('completion') }];
      break;
    case 'chat': {
      if (!Array.isArray(record.messages)) throw new ConversionError('"messages" must be a list to convert this record');
      const msgs = record.messages.map((m, i) => {
        if (!isRecord(m) || typeof m.role !== 'string') throw new ConversionError(`messages[${i}] is not a {role, content} message`);
        return m as Message;
      });
      if (msgs[0]?.role === 'system' && typeof msgs[0].content === 'string') {
        conv.system = msgs[0].content;
        conv.turns = msgs.slice(1);
      } else conv.turns = msgs;
      break;
    }
    case 'preference': {
      const prompt = record.prompt;
      if (typeof prompt === 'string') conv.turns.push({ role: 'user', content: prompt });
      else if (Array.isArray(prompt)) {
        const msgs = prompt as Message[];
        if (msgs[0]?.role === 'system' && typeof msgs[0].content === 'string') {
          conv.system = msgs[0].content;
          conv.turns.push(...msgs.slice(1));
        } else conv.turns.push(...msgs);
      } else throw new ConversionError('"prompt" must be a string or a list of messages');
      const chosen = record.chosen;
      if (typeof chosen === 'string') conv.turns.push({ role: 'assistant', content: chosen });
      else if (Array.isArray(chosen)) conv.turns.push(...(chosen as Message[]));
      else throw new ConversionError('"chosen" must be a string or a list of messages');
      conv.rejected = record.rejected;
      break;
    }
  }
  return conv;
}

/** The single user → assistant exchange that alpaca and prompt/completion can hold, or a reason why not. */
function singleTurn(conv: Conversation, to: DatasetFormat): { user: string; assistant: string } {
  const roles = conv.turns.map((t) => t.role);
  if (roles.includes('tool')) throw new ConversionError(`a conversation with tool turns cannot become ${to}; keep it as chat`);
  const users = roles.filter((r) => r === 'user').length;
  if (roles.length !== 2 || roles[0] !== 'user' || roles[1] !== 'assistant') {
    throw new ConversionError(`a conversation with ${users} user turn${users === 1 ? '' : 's'} and ${roles.length - users} other turn${roles.length - users === 1 ? '' : 's'} cannot become ${to}, which holds one user → assistant exchange; keep it as chat or split it`);
  }
  const [u, a] = conv.turns;
  if (typeof u.content !== 'string' || typeof a.content !== 'string') throw new ConversionError('message contents must be strings to convert this record');
  return { user: u.content, assistant: a.content };
}

function fromConversation(conv: Conversation, to: DatasetFormat): Record<string, unknown> {
  const extras = { ...conv.extras };
  const keepSystem = () => { if (conv.system !== undefined) extras.system = conv.system; };
  const keepRejected = () => { if (conv.rejected !== undefined) extras.rejected = conv.rejected; };
  switch (to) {
    case 'alpaca': {
      const t = singleTurn(conv, to);
      keepSystem();
      keepRejected();
      return { instruction: t.user, input: '', output: t.assistant, ...extras };
    }
    case 'completion': {
      const t = singleTurn(conv, to);
      keepSystem();
      keepRejected();
      return { prompt: t.user, completion: t.assistant, ...extras };
    }
    case 'chat': {
      keepRejected();
      const messages = conv.system !== undefined ? [{ role: 'system', content: conv.system }, ...conv.turns] : conv.turns;
      return { messages, ...extras };
    }
    case 'preference': {
      if (conv.rejected === undefined) throw new ConversionError('there is no rejected answer to make a preference pair; add a "rejected" field first');
      const last = conv.turns[conv.turns.length - 1];
      if (!last || last.role !== 'assistant') throw new ConversionError('the conversation does not end with an assistant answer to use as "chosen"');
      const before = conv.turns.slice(0, -1);
      const simple = conv.system === undefined && before.length === 1 && before[0].role === 'user' && typeof before[0].content === 'string';
      const prompt = simple ? before[0].content : [...(conv.system !== undefined ? [{ role: 'system', content: conv.system }] : []), ...before];
      return { prompt, chosen: last.content, rejected: conv.rejected, ...extras };
    }
  }
}

/**
 * Converts one record to another format. Unknown keys are kept (after the format's own keys). Throws a
 * ConversionError saying why when the record cannot be expressed in the target format.
 */
export function convertRecord(record: Record<string, unknown>, to: DatasetFormat, options: { from?: DatasetFormat; line?: number } = {}): Record<string, unknown> {
  const from = options.from ?? detectFormat(record);
  try {
    if (!from) throw new ConversionError('the record fits no known format');
    if (from === to) return record;
    return fromConversation(toConversation(record, from), to);
  } catch (e) {
    if (e instanceof ConversionError && options.line !== undefined && e.line === undefined) throw new ConversionError(e.message, options.line);
    throw e;
  }
}

/** Converts every record; records that cannot be converted are listed with their lines instead of stopping the run. */
export function convertRecords(records: ReadonlyArray<{ line: number; value: Record<string, unknown> }>, to: DatasetFormat): { converted: Array<Record<string, unknown>>; failures: ConversionError[] } {
  const converted: Array<Record<string, unknown>> = [];
  const failures: ConversionError[] = [];
  for (const r of records) {
    try {
      converted.push(convertRecord(r.value, to, { line: r.line }));
    } catch (e) {
      if (e instanceof ConversionError) failures.push(e);
      else throw e;
    }
  }
  return { converted, failures };
}
