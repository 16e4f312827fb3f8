// Names for the files the transformations write next to their input. Outputs are JSONL whatever the input
// (a `.json` array included), and never an existing file: a `-2`, `-3`… suffix is added instead, so the input
// and earlier results are never overwritten.
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

function stemOf(input: string): string {
  return join(dirname(input), basename(input, extname(input)));
}

/** `data.jsonl` + `chat` → `data.chat.jsonl` (or `data.chat-2.jsonl` when that exists). */
export function siblingOutput(input: string, tag: string, exists: (p: string) => boolean = existsSync): string {
  for (let n = 1; ; n++) {
    const candidate = `${stemOf(input)}.${tag}${n === 1 ? '' : `-${n}`}.jsonl`;
    if (!exists(candidate)) return candidate;
  }
}

/** The prefix of a split's `<prefix>-train.jsonl` and `<prefix>-eval.jsonl` (the CLI's names), both free. */
export function splitPrefix(input: string, exists: (p: string) => boolean = existsSync): { prefix: string; train: string; eval: string } {
  for (let n = 1; ; n++) {
    const prefix = `${stemOf(input)}${n === 1 ? '' : `-${n}`}`;
    const train = `${prefix}-train.jsonl`;
    const evalPath = `${prefix}-eval.jsonl`;
    if (!exists(train) && !exists(evalPath)) return { prefix, train, eval: evalPath };
  }
}
