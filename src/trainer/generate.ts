// Text generation on top of the engine's next-token logits: greedy (temperature 0) or sampled with temperature,
// top-k and top-p (seeded), with transformers' repetition penalty; a sequence stops at a stop token (EOS), at a stop
// string, or after maxNewTokens. Sequences are batched and KV-cached; each token can be streamed to the caller.
import type { Tokenizer } from '../core/tokenizer/types';
import type { Engine, GenerationSession } from './engine/types';
import { Rng } from './rng';

export interface SamplingOptions {
  maxNewTokens: number;
  /** 0 = greedy. */
  temperature: number;
  /** Keep the k most likely tokens (0 = all). */
  topK: number;
  /** Keep the smallest set of tokens whose probability reaches p (1 = all). */
  topP: number;
  stopIds: readonly number[];
  /** transformers' repetition_penalty: a token already in the row (prompt or output) has its logit divided by it when
   *  positive, multiplied when negative (1 = off). */
  repetitionPenalty?: number;
  /** A row stops once its decoded output contains one of these (cut the text with `cutAtStopString`). */
  stopStrings?: readonly string[];
  /** Turns output ids into text; needed for stopStrings. */
  decode?: (ids: readonly number[]) => string;
  /** Called with each token as it is chosen (row = index of the prompt), before the next one is computed. */
  onToken?: (row: number, id: number) => void;
}

/**
 * Where an answer ends: EOS, and the end-of-turn marker `<|end|>` when the tokenizer has it as one token (the
 * byte-level format closes every assistant turn with it, EOS follows only as the sequence's end).
 */
export function answerStopIds(tok: Pick<Tokenizer, 'eosId' | 'specialTokens'>, extra: readonly number[] = []): number[] {
  const end = tok.specialTokens.get('<|end|>');
  return [...new Set([tok.eosId, ...(end === undefined ? [] : [end]), ...extra])];
}

/**
 * The answer in generated ids: special tokens dropped, cut at the first end marker the model wrote as plain text
 * (a Hugging Face base without a chat template is rendered with the byte-level format, and its tokenizer spells
 * `<|end|>` as ordinary tokens).
 */
export function answerText(tok: Pick<Tokenizer, 'decode'>, ids: readonly number[], endMarkers: readonly string[]): string {
  return cutAtStopString(tok.decode(ids, { skipSpecial: true }), endMarkers).text;
}

export const GREEDY: Omit<SamplingOptions, 'maxNewTokens' | 'stopIds'> = { temperature: 0, topK: 0, topP: 1 };

/**
 * Greedy answers to prompts, as evaluation scores them: each stops at EOS or `<|end|>` (answerStopIds) or at an end
 * marker written as text, which is cut off (answerText).
 */
export async function greedyAnswers(
  engine: Pick<Engine, 'nextTokenLogits'> & Partial<Pick<Engine, 'startGeneration'>>,
  prompts: readonly number[][],
  o: { tokenizer: Pick<Tokenizer, 'eosId' | 'specialTokens' | 'decode'>; endMarkers: readonly string[]; maxNewTokens: number; contextLength: number; shouldStop?: () => boolean },
): Promise<string[]> {
  const decode = (ids: readonly number[]) => o.tokenizer.decode(ids, { skipSpecial: true });
  const opts = { ...GREEDY, maxNewTokens: o.maxNewTokens, stopIds: answerStopIds(o.tokenizer), stopStrings: o.endMarkers, decode };
  const outputs = await generateIds(engine, prompts, opts, o.contextLength, undefined, o.shouldStop);
  return outputs.map((ids) => answerText(o.tokenizer, ids, o.endMarkers));
}

/**
 * Generated ids per prompt, without the stop token. `contextLength` crops the oldest tokens when a sequence outgrows it.
 * All prompts go through one batched, KV-cached session when the engine has one (every real engine does); an engine
 * with only nextTokenLogits (a test double, a remote model) gets the same loop over whole sequences.
 */
export async function generateIds(
  engine: Pick<Engine, 'nextTokenLogits'> & Partial<Pick<Engine, 'startGeneration'>>,
  prompts: readonly number[][],
  opts: SamplingOptions,
  contextLength: number,
  rng: Rng = new Rng(0),
  shouldStop?: () => boolean,
): Promise<number[][]> {
  const outputs: number[][] = prompts.map(() => []);
  let session: GenerationSession | null = null;
  try {
    let active = prompts.map((_, i) => i);
    let chosen: number[] = [];
    for (let t = 0; t < opts.maxNewTokens && active.length && !shouldStop?.(); t++) {
      // Let cancel messages and signals in between tokens.
      await new Promise<void>((r) => setImmediate(r));
      let logits: Float32Array[];
      if (session) logits = await session.step(active, chosen);
      else {
        session = await (engine.startGeneration
          ? engine.startGeneration(prompts.map((p) => [...p]), { window: contextLength })
          : uncachedSession(engine, prompts, contextLength));
        logits = session.logits;
      }
      const still: number[] = [];
      chosen = [];
      active.forEach((i, j) => {
        const l = opts.repetitionPenalty && opts.repetitionPenalty !== 1 ? penalizeRepetition(logits[j], [prompts[i], outputs[i]], opts.repetitionPenalty) : logits[j];
        const id = pickToken(l, opts, rng);
        if (opts.stopIds.includes(id)) return;
        outputs[i].push(id);
        opts.onToken?.(i, id);
        if (opts.stopStrings?.length && opts.decode && cutAtStopString(opts.decode(outputs[i]), opts.stopStrings).stopped) return;
        still.push(i);
        chosen.push(id);
      });
      active = still;
    }
  } finally {
    session?.dispose();
  }
  return outputs;
}

/** The session API over nextTokenLogits: every step a full forward of each listed sequence's last `window` tokens. */
async function uncachedSession(engine: Pick<Engine, 'nextTokenLogits'>, prompts: readonly number[][], window: number): Promise<GenerationSession> {
  const seqs = prompts.map((p) => [...p]);
  return {
    size: seqs.length,
    logits: await engine.nextTokenLogits(seqs.map((s) => s.slice(-window))),
    step: (rows, tokens) => {
      rows.forEach((r, i) => seqs[r].push(tokens[i]));
      return engine.nextTokenLogits(rows.map((r) => seqs[r].slice(-window)));
    },
    dispose: () => {},
  };
}

/** transformers' RepetitionPenaltyLogitsProcessor: each token seen in `history` once, whatever its count. */
export function penalizeRepetition(logits: Float32Array, history: ReadonlyArray<readonly number[]>, penalty: number): Float32Array {
  if (!(penalty > 0)) throw new Error(`repetition penalty must be positive, got ${penalty}`);
  const out = Float32Array.from(logits);
  const seen = new Set<number>();
  for (const ids of history) for (const id of ids) seen.add(id);
  for (const id of seen) {
    if (id < 0 || id >= out.length) continue;
    out[id] = logits[id] < 0 ? logits[id] * penalty : logits[id] / penalty;
  }
  return out;
}

/** The text up to the earliest stop string (which is left out), and whether one was found. */
export function cutAtStopString(text: string, stopStrings: readonly string[]): { text: string; stopped: boolean } {
  let cut = -1;
  for (const s of stopStrings) {
    if (!s) continue;
    const at = text.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  return cut < 0 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}

/**
 * Streams one row's text as tokens arrive: emits only what is settled, holding back an unfinished UTF-8 character
 * (decoded as U+FFFD) and a tail that might still become a stop string; nothing after a stop string is emitted.
 */
export class TextStreamer {
  private ids: number[] = [];
  private emitted = 0;
  private stopped = false;

  constructor(private readonly decode: (ids: readonly number[]) => string, private readonly write: (text: string) => void, private readonly stopStrings: readonly string[] = []) {}

  push(id: number): void {
    if (this.stopped) return;
    this.ids.push(id);
    const cut = cutAtStopString(this.decode(this.ids), this.stopStrings);
    if (cut.stopped) {
      this.stopped = true;
      this.flushTo(cut.text, cut.text.length);
      return;
    }
    let end = cut.text.length;
    // An unfinished UTF-8 sequence at the end decodes to one U+FFFD, which the next byte may complete.
    if (end > this.emitted && cut.text[end - 1] === '\uFFFD') end--;
    let hold = 0;
    for (const s of this.stopStrings) {
      for (let k = Math.min(s.length - 1, end); k > hold; k--) {
        if (cut.text.slice(end - k, end) === s.slice(0, k)) { hold = k; break; }
      }
    }
    this.flushTo(cut.text, end - hold);
  }

  /** Emits whatever is left (the whole text when no stop string cut it). */
  end(): void {
    if (this.stopped) return;
    const text = this.decode(this.ids);
    this.flushTo(text, text.length);
  }

  private flushTo(text: string, end: number): void {
    if (end > this.emitted) this.write(text.slice(this.emitted, end));
    this.emitted = Math.max(this.emitted, end);
  }
}

export function pickToken(logits: Float32Array, opts: Pick<SamplingOptions, 'temperature' | 'topK' | 'topP'>, rng: Rng): number {
  if (opts.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  let order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  if (opts.topK > 0) order = order.slice(0, opts.topK);
  const max = logits[order[0]];
  let probs = order.map((i) => Math.exp((logits[i] - max) / opts.temperature));
  let sum = probs.reduce((a, b) => a + b, 0);
  if (opts.topP < 1) {
    let cum = 0;
    let keep = 0;
    while (keep < probs.length && cum < opts.topP * sum) cum += probs[keep++];
    order = order.slice(0, Math.max(1, keep));
    probs = probs.slice(0, Math.max(1, keep));
    sum = probs.reduce((a, b) => a + b, 0);
  }
  let r = rng.next() * sum;
  for (let k = 0; k < order.length; k++) {
    r -= probs[k];
    if (r < 0) return order[k];
  }
  return order[order.length - 1];
}
