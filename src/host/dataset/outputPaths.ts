// Names for the files the transformations write next to their input. Never an existing file: the input and
// earlier results are never overwritten, a `-2`, `-3`… suffix is added instead.
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** `data.jsonl` + `chat` → `data.chat.jsonl` (or `data.chat-2.jsonl` when that exists). */
export function siblingOutput(input: string, tag: string, exists: (p: string) => boolean = existsSync): string {
  const ext = extname(input) || '.jsonl';
  const stem = basename(input, extname(input));
  for (let n = 1; ; n++) {
    const candidate = join(dirname(input), `${stem}.${tag}${n === 1 ? '' : `-${n}`}${ext}`);
    if (!exists(candidate)) return candidate;
  }
}

/** Train and eval names that are free together, with the same suffix. */
export function splitOutputs(input: string, exists: (p: string) => boolean = existsSync): { train: string; eval: string } {
  const ext = extname(input) || '.jsonl';
  const stem = basename(input, extname(input));
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `-${n}`;
    const train = join(dirname(input), `${stem}.train${suffix}${ext}`);
    const evalPath = join(dirname(input), `${stem}.eval${suffix}${ext}`);
    if (!exists(train) && !exists(evalPath)) return { train, eval: evalPath };
  }
}
