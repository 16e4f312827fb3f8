// From rendered records to engine batches: tokenize, mask the loss to the trained character spans, append EOS,
// and pack examples into fixed-length rows (or pad one example per row).
import type { Rendering } from '../core/template/types';
import { trainedTokenMask } from '../core/template/tokens';
import type { Tokenizer } from '../core/tokenizer/types';
import type { Batch } from './engine/types';

export interface Example {
  /** Tokens of the whole rendering, BOS first when the tokenizer has one, EOS last. */
  ids: Int32Array;
  /** 1 where the token is a training target (a response / assistant token, or the final EOS). */
  mask: Uint8Array;
  task: string;
  /** Number of trained targets. */
  trained: number;
}

export interface TokenizeResult {
  example: Example;
  truncated: boolean;
}

/**
 * Token k is trained when its character range overlaps a train span. The final EOS is trained too: the model
 * must learn to stop. `maxTokens` (context + 1) truncates from the end, which loses the EOS; the caller counts that.
 */
export function tokenizeExample(rendering: Rendering, tokenizer: Tokenizer, maxTokens: number, task = ''): TokenizeResult {
  const { ids, offsets } = tokenizer.encode(rendering.text);
  // The same token rule as the template preview and `render`: a token is trained when it overlaps a trained span
  // (as transformers' assistant mask does); with a BPE tokenizer a token can straddle a span's edge.
  const mask = trainedTokenMask(offsets, rendering.trainSpans).map((t) => (t ? 1 : 0));
  if (tokenizer.bosId !== undefined && ids[0] !== tokenizer.bosId) {
    ids.unshift(tokenizer.bosId);
    mask.unshift(0);
  }
  if (ids[ids.length - 1] !== tokenizer.eosId) {
    ids.push(tokenizer.eosId);
    mask.push(rendering.trainSpans.length ? 1 : 0);
  } else if (rendering.trainSpans.length) {
    mask[mask.length - 1] = 1;
  }
  // The first token is never a target (nothing predicts it).
  mask[0] = 0;
  const truncated = ids.length > maxTokens;
  const n = Math.min(ids.length, maxTokens);
  const example: Example = { ids: Int32Array.from(ids.slice(0, n)), mask: Uint8Array.from(mask.slice(0, n)), task, trained: 0 };
  for (let k = 0; k < n; k++) example.trained += example.mask[k];
  return { example, truncated };
}

/** Input/target pairs an example contributes: n tokens predict n - 1 targets. */
export function pairsOf(ex: Example): number {
  return ex.ids.length - 1;
}

/**
 * Lays examples into rows of `seqLen` input/target pairs. Packing fills a row with whole examples while they fit,
 * each its own segment (the engine restarts positions and blocks attention at segment changes); without packing each
 * example gets a row. Pads have weight 0 and their own segment. Rows beyond `maxRows` are not produced: the
 * return says how many examples were placed.
 */
export function layoutRows(examples: readonly Example[], seqLen: number, packing: boolean, maxRows = Infinity): { rows: Example[][]; placed: number } {
  const rows: Example[][] = [];
  let fill = seqLen;
  let placed = 0;
  for (const ex of examples) {
    const pairs = Math.min(pairsOf(ex), seqLen);
    if (!packing || fill + pairs > seqLen) {
      if (rows.length >= maxRows) break;
      rows.push([]);
      fill = 0;
    }
    rows[rows.length - 1].push(ex);
    fill += pairs;
    placed++;
  }
  return { rows, placed };
}

/**
 * The row length a batch of these rows needs: the longest row's pairs rounded up to a multiple of `multiple`, at most
 * `seqLen`. Instruction records are often much shorter than the context; the padding past the longest row carries no
 * loss and, with causal attention, changes nothing before it, so cutting it only saves work (the rounding keeps the
 * number of distinct shapes small).
 */
export function batchLength(rows: readonly Example[][], seqLen: number, multiple = 8): number {
  let longest = 1;
  for (const row of rows) {
    let fill = 0;
    for (const ex of row) fill += pairsOf(ex);
    longest = Math.max(longest, fill);
  }
  return Math.min(seqLen, Math.ceil(longest / multiple) * multiple);
}

export function makeBatch(rows: readonly Example[][], seqLen: number, padId: number): Batch {
  const batchSize = rows.length;
  const size = batchSize * seqLen;
  const tokens = new Int32Array(size).fill(padId);
  const targets = new Int32Array(size).fill(padId);
  const weights = new Float32Array(size);
  const segments = new Int32Array(size);
  for (let r = 0; r < batchSize; r++) {
    let pos = r * seqLen;
    const end = pos + seqLen;
    let segment = 1;
    for (const ex of rows[r]) {
      const pairs = Math.min(pairsOf(ex), end - pos);
      for (let k = 0; k < pairs; k++, pos++) {
        tokens[pos] = ex.ids[k];
        targets[pos] = ex.ids[k + 1];
        weights[pos] = ex.mask[k + 1];
        segments[pos] = segment;
      }
      segment++;
    }
    // Padding keeps segment 0 so no real token attends to it.
  }
  return { batchSize, seqLen, tokens, targets, weights, segments };
}

/** All examples as batches of at most `batchSize` rows, in order (evaluation). */
export function batchesOf(examples: readonly Example[], seqLen: number, batchSize: number, packing: boolean, padId: number): Batch[] {
  const { rows } = layoutRows(examples, seqLen, packing);
  const out: Batch[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const part = rows.slice(i, i + batchSize);
    out.push(makeBatch(part, batchLength(part, seqLen), padId));
  }
  return out;
}

/** Items by task, in order: per-task losses are evaluated on each group separately. */
export function groupByTask<T extends { task: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const g = groups.get(it.task);
    if (g) g.push(it);
    else groups.set(it.task, [it]);
  }
  return groups;
}
