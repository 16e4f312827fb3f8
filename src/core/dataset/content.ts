// The text a record carries, split into what the model is given (prompt) and what it learns to write (response).
// Shared by token counting, near-duplicate signatures, text checks and statistics.
import type { DatasetFormat } from './types';

export type ContentVisitor = (text: string, isResponse: boolean, field: string) => void;

/** Calls `visit` for each content string of a record, in reading order; fields of the wrong type are skipped. */
export function visitContent(value: Record<string, unknown>, format: DatasetFormat, visit: ContentVisitor): void {
  switch (format) {
    case 'alpaca':
      str(value.instruction, false, 'instruction', visit);
      str(value.input, false, 'input', visit);
      str(value.output, true, 'output', visit);
      break;
    case 'completion':
      str(value.prompt, false, 'prompt', visit);
      str(value.completion, true, 'completion', visit);
      break;
    case 'chat':
      messages(value.messages, 'messages', visit, false);
      break;
    case 'preference':
      if (typeof value.prompt === 'string') visit(value.prompt, false, 'prompt');
      else messages(value.prompt, 'prompt', visit, false);
      if (typeof value.chosen === 'string') visit(value.chosen, true, 'chosen');
      else messages(value.chosen, 'chosen', visit, true);
      // rejected is neither prompt nor response for statistics, but its text is still checked
      if (typeof value.rejected === 'string') visit(value.rejected, true, 'rejected');
      else messages(value.rejected, 'rejected', visit, true);
      break;
  }
}

function str(v: unknown, isResponse: boolean, field: string, visit: ContentVisitor): void {
  if (typeof v === 'string') visit(v, isResponse, field);
}

function messages(list: unknown, field: string, visit: ContentVisitor, allResponse: boolean): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const m = list[i] as { role?: unknown; content?: unknown } | null;
    if (typeof m !== 'object' || m === null || typeof m.content !== 'string') continue;
    visit(m.content, allResponse || m.role === 'assistant', `${field}[${i}].content`);
  }
}

/** Prompt and response as plain text (parts joined by a blank line), e.g. for hovers and conversions. */
export function promptAndResponse(value: Record<string, unknown>, format: DatasetFormat): { prompt: string; response: string } {
  const prompt: string[] = [];
  const response: string[] = [];
  visitContent(value, format, (text, isResponse, field) => {
    if (field.startsWith('rejected')) return;
    (isResponse ? response : prompt).push(text);
  });
  return { prompt: prompt.join('\n\n'), response: response.join('\n\n') };
}
