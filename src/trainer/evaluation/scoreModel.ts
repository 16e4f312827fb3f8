// One model over eval items: greedy generations (batched through the engine) and each record's summed response NLL.
// The engine only returns a batch's summed loss, so NLL is measured one record per batch: per-record values are what
// the metrics core needs for token-weighted loss, bootstrap intervals and the sorted generations list.
import type { RecordRenderer } from '../../core/template/types';
import type { Tokenizer } from '../../core/tokenizer/types';
import type { Engine } from '../engine/types';
import { makeBatch, pairsOf, type Example } from '../data';
import { promptIds } from '../evaluate';
import { greedyAnswers } from '../generate';
import { expectedResponse, type Item } from '../prepare';

export interface ScoringContext {
  engine: Pick<Engine, 'evalLoss' | 'nextTokenLogits'>;
  tokenizer: Tokenizer;
  renderer: RecordRenderer;
  contextLength: number;
  shouldStop?: () => boolean;
  /** Called after each finished unit of work (a record's NLL, a generation batch). */
  onProgress?: (done: number) => void;
}

export interface ModelOutput {
  prediction: string;
  nll: number;
  tokens: number;
}

export class EvaluationCancelled extends Error {
  constructor() {
    super('evaluation cancelled');
  }
}

/** Summed NLL (nats) and count of an example's trained tokens, computed alone in a one-row batch. */
export async function exampleNll(engine: Pick<Engine, 'evalLoss'>, example: Example, contextLength: number, padId: number): Promise<{ nll: number; tokens: number }> {
  // A row as long as the example (not the whole context) keeps the per-record pass cheap.
  const seqLen = Math.max(1, Math.min(contextLength, pairsOf(example)));
  const r = await engine.evalLoss(makeBatch([[example]], seqLen, padId));
  return { nll: r.lossSum, tokens: r.tokens };
}

export async function scoreModel(ctx: ScoringContext, items: readonly Item[], opts: { batchSize: number; maxNewTokens: number }): Promise<ModelOutput[]> {
  const { tokenizer } = ctx;
  const stop = () => {
    if (ctx.shouldStop?.()) throw new EvaluationCancelled();
  };
  const out: ModelOutput[] = items.map(() => ({ prediction: '', nll: 0, tokens: 0 }));
  let done = 0;
  for (let i = 0; i < items.length; i++) {
    stop();
    Object.assign(out[i], await exampleNll(ctx.engine, items[i].example, ctx.contextLength, tokenizer.padId));
    ctx.onProgress?.(++done);
  }
  for (let i = 0; i < items.length; i += opts.batchSize) {
    stop();
    const chunk = items.slice(i, i + opts.batchSize);
    const expected = chunk.map((it) => expectedResponse(it.record));
    // With a reference and no constraint to verify, text beyond the answer plus slack cannot change any score much,
    // and stopping there saves what a model that has not learned EOS would spend.
    const capped = chunk.every((it, j) => expected[j] !== null && !Array.isArray(it.record.checks));
    const budget = capped ? Math.min(opts.maxNewTokens, Math.max(...expected.map((e) => tokenizer.countTokens(e ?? ''))) + 8) : opts.maxNewTokens;
    const prompts = chunk.map((it) => promptIds(ctx, it.record));
    const answers = await greedyAnswers(ctx.engine, prompts, { tokenizer, endMarkers: ctx.renderer.endMarkers ?? [], maxNewTokens: budget, contextLength: ctx.contextLength, shouldStop: ctx.shouldStop });
    stop();
    chunk.forEach((_, j) => { out[i + j].prediction = answers[j]; });
    done += chunk.length;
    ctx.onProgress?.(done);
  }
  return out;
}
