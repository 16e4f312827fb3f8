// Recovering where responses and generation blocks landed in a rendering, and the trained-span rule.
//
// A template is rendered twice: once as is (`plain`) and once with every response wrapped in sentinels (`marked`).
// When removing the sentinels from `marked` gives `plain`, the response positions are exact. Templates that trim
// the content (Llama-3, Gemma: `message['content'] | trim`) keep the wrapped whitespace, so whitespace inside the
// sentinels may be absent from `plain`; the alignment drops it there and nowhere else.
import { CONTENT_END, CONTENT_START, GENERATION_END, GENERATION_START } from './sentinels';

export type Span = [number, number];

/** Response regions in `plain` coordinates, in rendering order; undefined when the two renderings do not align. */
export function locateResponses(marked: string, plain: string): Span[] | undefined {
  return alignUnchanged(marked, plain) ?? alignExact(marked, plain, true) ?? alignGreedy(marked, plain);
}

/** The common case, in a few native string operations: the template printed the responses as they are. */
function alignUnchanged(marked: string, plain: string): Span[] | undefined {
  if (marked.length < plain.length || marked.split(CONTENT_START).join('').split(CONTENT_END).join('') !== plain) return undefined;
  const spans: Span[] = [];
  let removed = 0;
  let from = 0;
  for (;;) {
    const a = marked.indexOf(CONTENT_START, from);
    if (a < 0) break;
    const b = marked.indexOf(CONTENT_END, a + 1);
    if (b < 0) return undefined;
    spans.push([a - removed, b - removed - 1]);
    removed += 2;
    from = b + 1;
  }
  return spans;
}

function alignExact(marked: string, plain: string, trimEdges: boolean): Span[] | undefined {
  const spans: Span[] = [];
  let out = 0;
  let start = -1;
  for (let i = 0; i < marked.length; i++) {
    const c = marked[i];
    if (c === CONTENT_START) {
      start = out;
      if (trimEdges) while (i + 1 < marked.length && /\s/.test(marked[i + 1])) i++;
      continue;
    }
    if (c === CONTENT_END) { spans.push([start, out]); start = -1; continue; }
    if (trimEdges && start >= 0 && /\s/.test(c)) {
      // whitespace that only runs up to the end sentinel is trailing: dropped by the template's trim
      let k = i;
      while (k < marked.length && /\s/.test(marked[k])) k++;
      if (marked[k] === CONTENT_END) { i = k - 1; continue; }
    }
    if (plain[out] !== c) return undefined;
    out++;
  }
  return out === plain.length ? spans : undefined;
}

function alignGreedy(marked: string, plain: string): Span[] | undefined {
  const spans: Span[] = [];
  let j = 0;
  let start = -1;
  for (let i = 0; i < marked.length; i++) {
    const c = marked[i];
    if (c === CONTENT_START) { start = j; continue; }
    if (c === CONTENT_END) { spans.push([start, j]); start = -1; continue; }
    if (plain[j] === c) { j++; continue; }
    if (start >= 0 && /\s/.test(c)) continue;
    return undefined;
  }
  return j === plain.length ? spans : undefined;
}

/**
 * Removes the generation sentinels. Returns the clean text, the generation regions in its coordinates and a map
 * from `plain` offsets to clean offsets.
 */
export function extractGenerations(plain: string): { text: string; generations: Span[]; map: (offset: number) => number } {
  const positions: number[] = [];
  const re = new RegExp(`[${GENERATION_START}${GENERATION_END}]`, 'g');
  for (let m = re.exec(plain); m; m = re.exec(plain)) positions.push(m.index);
  if (positions.length === 0) return { text: plain, generations: [], map: (offset) => offset };
  const generations: Span[] = [];
  let text = '';
  let last = 0;
  let open = -1;
  for (const p of positions) {
    text += plain.slice(last, p);
    last = p + 1;
    if (plain[p] === GENERATION_START) { if (open < 0) open = text.length; }
    else if (open >= 0) { if (text.length > open) generations.push([open, text.length]); open = -1; }
  }
  text += plain.slice(last);
  if (open >= 0 && text.length > open) generations.push([open, text.length]);
  // offset minus the sentinels before it (binary search over their positions)
  const map = (offset: number) => {
    let lo = 0;
    let hi = positions.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (positions[mid] < offset) lo = mid + 1; else hi = mid; }
    return offset - lo;
  };
  return { text, generations, map };
}

/**
 * The trained-span rule for templates without generation blocks: a response is trained on together with the
 * end-of-turn markers the template writes right after it (EOS, `<|im_end|>`, `<|eot_id|>` …), consecutive ones
 * included, with no whitespace skipped; the text after them (a newline before the next turn) is not trained.
 */
export function extendOverEndMarkers(text: string, span: Span, markers: readonly string[]): Span {
  let end = span[1];
  for (let moved = true; moved; ) {
    moved = false;
    for (const m of markers) {
      if (m && text.startsWith(m, end)) { end += m.length; moved = true; break; }
    }
  }
  return [span[0], end];
}

/** Sorted, with overlapping or touching spans joined, empty ones dropped. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

/** End-of-turn markers of the common chat formats, besides the template's own EOS token. */
export const KNOWN_END_MARKERS = ['<|im_end|>', '<|eot_id|>', '<|eom_id|>', '<end_of_turn>', '<|end|>', '</s>', '<|endoftext|>', '<|eos|>', '<eos>'];
