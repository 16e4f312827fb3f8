// The pretrain stage's data: raw text → one token stream (BOS document EOS BOS document EOS …) → rows of exactly
// `seqLen` next-token pairs with the loss on every token. Rows are cut from the stream without regard to document
// edges, as GPT-2 was trained: BOS/EOS tell the model where a document starts and ends.
import { readFileSync } from 'node:fs';
import type { Tokenizer } from '../core/tokenizer/types';
import type { Example } from './data';
import { DataError, holdOut, type Item } from './prepare';

/** The task name pretraining rows carry (one task: the sampler then just shuffles rows). */
export const PRETRAIN_TASK = 'text';

/**
 * Documents of a corpus file: `.jsonl` with a string `text` on every line, anything else plain text with documents
 * separated by blank lines. Errors name the file and line.
 */
export function readDocuments(file: string): string[] {
  const raw = readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
  if (/\.jsonl$/i.test(file)) {
    const docs: string[] = [];
    raw.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new DataError(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
      const text = (value as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') throw new DataError(`${file}:${i + 1}: a pretraining record needs a string field "text"`);
      if (text.trim()) docs.push(text);
    });
    if (!docs.length) throw new DataError(`${file}: no documents (every line needs a non-empty "text")`);
    return docs;
  }
  const docs = raw.split(/\n[ \t]*\n/).map((d) => d.trim()).filter(Boolean);
  if (!docs.length) throw new DataError(`${file}: no text to pretrain on`);
  return docs;
}

/** BOS, the document's tokens, EOS — for every document, concatenated. */
export function tokenStream(docs: readonly string[], tokenizer: Tokenizer): Int32Array {
  let out = new Int32Array(1 << 16);
  let at = 0;
  const push = (id: number) => {
    if (at === out.length) {
      const grown = new Int32Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[at++] = id;
  };
  for (const doc of docs) {
    if (tokenizer.bosId !== undefined) push(tokenizer.bosId);
    for (const id of tokenizer.encode(doc).ids) push(id);
    push(tokenizer.eosId);
  }
  return out.slice(0, at);
}

/**
 * Rows of `seqLen` pairs: row k holds stream tokens [k·seqLen, (k+1)·seqLen], so consecutive rows share one token and
 * every token after the first is a target exactly once. Every target is trained (mask 1); the first token of a row is
 * input only. A last, shorter row is kept (the batch pads it) when it has at least one pair.
 */
export function packStream(stream: Int32Array, seqLen: number): Example[] {
  const rows: Example[] = [];
  for (let start = 0; start + 1 < stream.length; start += seqLen) {
    const ids = stream.slice(start, Math.min(stream.length, start + seqLen + 1));
    const mask = new Uint8Array(ids.length).fill(1);
    mask[0] = 0;
    rows.push({ ids, mask, task: PRETRAIN_TASK, trained: ids.length - 1 });
  }
  return rows;
}

export interface PretrainItems {
  train: Item[];
  eval: Item[];
  documents: number;
  tokens: number;
}

/** Training and eval rows of a corpus: the eval file's rows, or a seeded held-out fraction of the corpus's rows. */
export function loadPretrainItems(file: string, evalFile: string | undefined, evalFraction: number, seed: number, tokenizer: Tokenizer, seqLen: number): PretrainItems {
  const docs = readDocuments(file);
  const stream = tokenStream(docs, tokenizer);
  const asItems = (rows: Example[], from: string): Item[] => rows.map((example) => ({ example, record: {}, file: from, line: 0, task: PRETRAIN_TASK, unseen: false }));
  let train = asItems(packStream(stream, seqLen), file);
  let held: Item[];
  if (evalFile) {
    held = asItems(packStream(tokenStream(readDocuments(evalFile), tokenizer), seqLen), evalFile);
  } else {
    ({ train, held } = holdOut(train, evalFraction, seed));
  }
  return { train, eval: held, documents: docs.length, tokens: stream.length };
}
