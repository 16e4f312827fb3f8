// How a record meets a template: which of a renderer's templates takes it, the variables it gets, and which
// fields are the responses to mark. Chat records go to a chat template; alpaca and prompt/completion records to
// their own kind of template when there is one, else they become a one-turn conversation (instruction and input
// joined by a blank line as the user turn); a chat record fits an instruction template only when single-turn.
import type { CompiledTemplate, TemplateKind } from './compile';
import { RenderError } from './errors';
import type { ChatMessage, RecordInput } from './records';

export interface Context {
  templates: Partial<Record<TemplateKind, CompiledTemplate>>;
  bosToken: string;
  eosToken: string;
  endMarkers: string[];
}

/** A record laid out for one template: its variables with the responses passed through `mark`. */
export interface Job {
  template: CompiledTemplate;
  variables(mark: (s: string) => string, addGenerationPrompt: boolean): Record<string, unknown>;
  /** Fields of the responses that `mark` wraps, in the order the template is expected to print them. */
  responseFields: string[];
  responseTexts: string[];
  toolCallFields: string[];
  /** The field a failure of the template is blamed on: `messages` for a chat, else the response. */
  errorField: string;
  /** For a prompt: the same record without its final response, as a chat. */
  promptMessages?: ChatMessage[];
}

export function plan(ctx: Context, input: RecordInput, responseField?: string): Job {
  const { chat, instruction, completion } = ctx.templates;
  const tokens = { bos_token: ctx.bosToken, eos_token: ctx.eosToken };
  if (input.format === 'chat') {
    if (chat) return chatJob(chat, tokens, input.messages, (i) => `${responseField ?? 'messages'}[${i}].content`, input);
    const turn = singleTurn(input.messages, responseField);
    if (instruction) return instructionJob(instruction, tokens, { instruction: turn.user, input: '', output: turn.assistant, system: turn.system }, turn.field);
    return completionJob(completion!, tokens, turn.user, turn.assistant, turn.field);
  }
  if (input.format === 'alpaca') {
    if (instruction) return instructionJob(instruction, tokens, input, 'output');
    const user = input.input ? `${input.instruction}\n\n${input.input}` : input.instruction;
    if (chat) {
      const messages: ChatMessage[] = [
        ...(input.system ? [{ role: 'system', content: input.system }] : []),
        { role: 'user', content: user },
        { role: 'assistant', content: input.output },
      ];
      return chatJob(chat, tokens, messages, () => 'output');
    }
    return completionJob(completion!, tokens, user, input.output, 'output');
  }
  const field = responseField ?? 'completion';
  if (completion) return completionJob(completion, tokens, input.prompt, input.completion, field);
  if (instruction) return instructionJob(instruction, tokens, { instruction: input.prompt, input: '', output: input.completion }, field);
  return chatJob(chat!, tokens, [{ role: 'user', content: input.prompt }, { role: 'assistant', content: input.completion }], () => field);
}

export function chatJob(
  template: CompiledTemplate,
  tokens: object,
  messages: ChatMessage[],
  fieldOf: (i: number) => string,
  extra: { tools?: unknown[]; documents?: unknown[] } = {},
): Job {
  const responseFields: string[] = [];
  const responseTexts: string[] = [];
  const toolCallFields: string[] = [];
  messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    if (typeof m.content === 'string') { responseFields.push(fieldOf(i)); responseTexts.push(m.content); }
    if (Array.isArray(m.tool_calls) && m.tool_calls.length) toolCallFields.push(fieldOf(i).replace(/\.content$/, '.tool_calls'));
  });
  const last = messages.at(-1);
  return {
    template,
    responseFields,
    responseTexts,
    errorField: fieldOf(0).replace(/\[0\]\.content$/, ''),
    toolCallFields,
    promptMessages: last?.role === 'assistant' ? messages.slice(0, -1) : messages,
    variables: (mark, addGenerationPrompt) => ({
      ...tokens,
      // as apply_chat_template: always passed, None when the record has none
      tools: extra.tools ?? null,
      documents: extra.documents ?? null,
      add_generation_prompt: addGenerationPrompt,
      messages: messages.map((m) => (m.role === 'assistant' && typeof m.content === 'string' ? { ...m, content: mark(m.content) } : m)),
    }),
  };
}

function instructionJob(
  template: CompiledTemplate,
  tokens: object,
  r: { instruction: string; input: string; output: string; system?: string },
  field: string,
): Job {
  return {
    template,
    responseFields: [field],
    responseTexts: [r.output],
    toolCallFields: [],
    errorField: field,
    variables: (mark) => ({ ...tokens, instruction: r.instruction, input: r.input, system: r.system ?? '', output: mark(r.output) }),
  };
}

function completionJob(template: CompiledTemplate, tokens: object, prompt: string, completion: string, field: string): Job {
  return {
    template,
    responseFields: [field],
    responseTexts: [completion],
    toolCallFields: [],
    errorField: field,
    variables: (mark) => ({ ...tokens, prompt, completion: mark(completion) }),
  };
}

function singleTurn(messages: ChatMessage[], responseField = 'messages') {
  const roles = messages.map((m) => m.role);
  const offset = roles[0] === 'system' ? 1 : 0;
  const rest = roles.slice(offset);
  const ok = (rest.length === 1 && rest[0] === 'user') || (rest.length === 2 && rest[0] === 'user' && rest[1] === 'assistant');
  if (!ok) {
    throw new RenderError(
      `this template renders single-turn records (a user message, then an assistant message); got roles ${roles.join(', ')}: use a chat template`,
      responseField,
    );
  }
  return {
    system: offset ? String(messages[0].content) : undefined,
    user: String(messages[offset].content),
    assistant: rest.length === 2 ? String(messages[offset + 1].content) : '',
    field: `${responseField}[${offset + 1}].content`,
  };
}
