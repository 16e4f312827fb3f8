// The forgetting probe's input: a general-text file cut into context-sized chunks where every token is scored, so
// the base and tuned models' perplexities are over the same chunks and can be compared chunk by chunk.
import type { Tokenizer } from '../../core/tokenizer/types';
import type { Example } from '../data';

export class GeneralTextError extends Error {}

/**
 * Chunks of at most `contextLength + 1` tokens (a chunk of n tokens scores n - 1), paragraphs kept whole where they
 * fit; at most `maxChunks`, taken from the start so the probe is the same at every evaluation.
 */
export function generalTextChunks(file: string, text: string, tokenizer: Tokenizer, contextLength: number, maxChunks: number): Example[] {
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
  if (!paragraphs.length) throw new GeneralTextError(`${file}: no text to score (the general-text file is empty)`);
  const chunks: Example[] = [];
  const bos = tokenizer.bosId;
  const push = (ids: number[]) => {
    const all = bos !== undefined ? [bos, ...ids] : ids;
    if (all.length < 2) return;
    const mask = new Uint8Array(all.length).fill(1);
    mask[0] = 0;
    chunks.push({ ids: Int32Array.from(all), mask, task: 'general', trained: all.length - 1 });
  };
  const room = contextLength + 1 - (bos !== undefined ? 1 : 0);
  for (const p of paragraphs) {
    const ids = tokenizer.encode(p).ids;
    for (let k = 0; k < ids.length && chunks.length < maxChunks; k += room) push(ids.slice(k, k + room));
    if (chunks.length >= maxChunks) break;
  }
  return chunks;
}
