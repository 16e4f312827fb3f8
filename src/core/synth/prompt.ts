// The few-shot prompt of Self-Instruct, in the product's alpaca layout (`### Instruction:` / `### Input:` /
// `### Response:`, the markers of the `alpaca` instruction template, written out in plain bytes), and the reading back of
// what the model wrote. A chat template cannot be used as is: it renders an instruction that is known, while here
// the model has to write the instruction itself, so the prompt is plain text that ends where a new task begins.
import { convertRecord, detectFormat } from '../dataset';
import type { SeedTask, SynthTask } from './types';

export const SYNTH_HEADER = 'Come up with a new task like the ones below: an instruction, its input (if any) and a good response.';
const INSTRUCTION = '### Instruction:\n';
const INPUT = '### Input:\n';
const RESPONSE = '### Response:\n';

/**
 * A seed record as a task: alpaca as is; a single-turn chat or a prompt/completion record through the dataset
 * converter. Returns a reason instead when the record cannot be a seed (preference pairs, multi-turn chats).
 */
export function seedTask(value: Record<string, unknown>, line: number): SeedTask | { line: number; reason: string } {
  const format = detectFormat(value);
  if (!format) return { line, reason: 'fits no known record format' };
  if (format === 'preference') return { line, reason: 'a preference pair is not an instruction record' };
  let alpaca: Record<string, unknown>;
  try {
    alpaca = convertRecord(value, 'alpaca', { from: format, line });
  } catch (e) {
    return { line, reason: (e as Error).message };
  }
  const text = (k: string) => (typeof alpaca[k] === 'string' ? (alpaca[k] as string).trim() : '');
  const task = { instruction: text('instruction'), input: text('input'), output: text('output') };
  if (!task.instruction || !task.output) return { line, reason: 'needs a non-empty instruction and response' };
  return { ...task, line };
}

/** One task in the prompt's layout; the input section only when there is one (as the alpaca template does). */
export function formatTask(t: SynthTask): string {
  return `${INSTRUCTION}${t.instruction}\n\n${t.input ? `${INPUT}${t.input}\n\n` : ''}${RESPONSE}${t.output}\n`;
}

/** The prompt: the header, the numbered examples, and the opening of the next task, where the model goes on. */
export function buildSynthPrompt(examples: readonly SynthTask[]): string {
  const shown = examples.map((t, i) => `Task ${i + 1}\n${formatTask(t)}\n`).join('');
  return `${SYNTH_HEADER}\n\n${shown}Task ${examples.length + 1}\n${INSTRUCTION}`;
}

/**
 * What the model wrote after the prompt, as a task. The proposal ends where the model starts another task
 * ("Task N" line or a second `### Instruction:`); each part is trimmed. Missing parts are '' (the filter decides
 * what that means).
 */
export function parseProposal(continuation: string): SynthTask {
  let text = continuation.replace(/\r\n/g, '\n');
  const next = text.search(/\n\s*Task \d+\s*\n|###\s*Instruction:/);
  if (next >= 0) text = text.slice(0, next);
  const responseAt = text.indexOf(RESPONSE.trimEnd());
  const inputAt = text.indexOf(INPUT.trimEnd());
  const head = responseAt >= 0 ? text.slice(0, responseAt) : text;
  const output = responseAt >= 0 ? text.slice(responseAt + RESPONSE.trimEnd().length) : '';
  const instruction = inputAt >= 0 && (responseAt < 0 || inputAt < responseAt) ? head.slice(0, inputAt) : head;
  const input = inputAt >= 0 && (responseAt < 0 || inputAt < responseAt) ? head.slice(inputAt + INPUT.trimEnd().length) : '';
  return { instruction: instruction.trim(), input: input.trim(), output: output.trim() };
}
