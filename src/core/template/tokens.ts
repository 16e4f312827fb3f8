// The rendering seen token by token: which tokens the loss is taken on. The trainer's label mask and the
// editor's coloured preview both come from `trainedTokenMask`, so what is shown is what is trained.
import type { Encoding, Tokenizer } from '../tokenizer/types';
import type { Span } from './spans';
import type { Rendering } from './types';

export interface TokenView {
  id: number;
  /** The token's share of the text. Tokens of one character (UTF-8 bytes of it) show it on the first one, so
   *  the texts concatenate back to the rendering. */
  text: string;
  start: number;
  end: number;
  trained: boolean;
  special: boolean;
}

/**
 * A token is trained when it overlaps a trained span, as transformers' assistant-token mask does (a token that
 * straddles the boundary carries the first or last trained character, so it is learned too).
 */
export function trainedTokenMask(offsets: ReadonlyArray<readonly [number, number]>, spans: readonly Span[]): boolean[] {
  const mask: boolean[] = new Array(offsets.length).fill(false);
  let s = 0;
  for (let i = 0; i < offsets.length; i++) {
    const [a, b] = offsets[i];
    while (s < spans.length && spans[s][1] <= a) s++;
    // zero-width tokens (none in practice) count by position
    mask[i] = s < spans.length && (b > a ? spans[s][0] < b : spans[s][0] <= a);
  }
  return mask;
}

export function tokenView(rendering: Rendering, tokenizer: Tokenizer, encoding: Encoding = tokenizer.encode(rendering.text)): TokenView[] {
  const { ids, offsets } = encoding;
  const mask = trainedTokenMask(offsets, rendering.trainSpans);
  const specialIds = new Set(tokenizer.specialTokens.values());
  let shownUpTo = 0;
  return ids.map((id, i) => {
    const [start, end] = offsets[i];
    const text = start >= shownUpTo ? rendering.text.slice(start, end) : '';
    shownUpTo = Math.max(shownUpTo, end);
    return { id, text, start, end, trained: mask[i], special: specialIds.has(id) };
  });
}
