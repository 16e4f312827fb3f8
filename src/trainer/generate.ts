// Text generation on top of the engine's next-token logits: greedy (temperature 0) or sampled with temperature,
// top-k and top-p; a sequence stops at a stop token (EOS) or after maxNewTokens. Sequences are batched and KV-cached.
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
}

export const GREEDY: Omit<SamplingOptions, 'maxNewTokens' | 'stopIds'> = { temperature: 0, topK: 0, topP: 1 };

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
        const id = pickToken(logits[j], opts, rng);
        if (opts.stopIds.includes(id)) return;
        outputs[i].push(id);
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
