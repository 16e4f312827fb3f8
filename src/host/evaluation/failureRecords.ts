// "Send to annotator": failures of an evaluation turned into new data. As preference pairs the expected answer is
// chosen over the tuned model's answer (a DPO set that targets exactly what the model got wrong); as instruction
// records the original record is kept so it can be fixed or weighted up and trained on again.
import type { GenerationLine } from '../../shared/protocol/evaluation';

export type FailureFormat = 'preference' | 'instruction';

/** `original` is the dataset record the generation came from (null when its line can no longer be read). */
export function failureRecord(g: GenerationLine, original: Record<string, unknown> | null, as: FailureFormat): Record<string, unknown> {
  const source = { file: g.file, line: g.line, tuned: g.tuned, token_f1: g.scores.tuned.token_f1 };
  if (as === 'instruction') {
    const base = original ?? { prompt: g.prompt, completion: g.expected };
    return { ...base, task: g.task, eval_failure: source };
  }
  return { prompt: promptOf(original) ?? g.prompt, chosen: g.expected, rejected: g.tuned, task: g.task, eval_failure: source };
}

/** The record's prompt without the template: instruction and input, a chat's turns before the answer, or `prompt`. */
function promptOf(r: Record<string, unknown> | null): unknown {
  if (!r) return null;
  if (typeof r.instruction === 'string') return typeof r.input === 'string' && r.input ? `${r.instruction}\n\n${r.input}` : r.instruction;
  if (Array.isArray(r.messages)) {
    const turns = r.messages as Array<{ role?: unknown }>;
    let last = turns.length - 1;
    while (last >= 0 && turns[last]?.role !== 'assistant') last--;
    return last > 0 ? turns.slice(0, last) : null;
  }
  return r.prompt ?? null;
}
