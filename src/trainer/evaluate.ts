// Evaluation: loss per trained token over the whole eval split (per task too), and exact match of greedy
// generations on a sample (stop at EOS, compare trimmed text), split by task and by seen/unseen instructions.
import type { RecordRenderer } from '../core/template/types';
import type { Tokenizer } from '../core/tokenizer/types';
import type { GenerationSample, TaskScore } from '../shared/protocol/trainer';
import type { Engine } from './engine/types';
import { batchesOf, groupByTask } from './data';
import { greedyAnswers } from './generate';
import { expectedResponse, promptRecord, type Item } from './prepare';

export interface EvalSettings {
  seqLen: number;
  batchSize: number;
  packing: boolean;
  exactMatchSamples: number;
  maxNewTokens: number;
  /** Generations returned for display. */
  keepSamples?: number;
}

export interface EvalResult {
  n: number;
  loss: number;
  exact_match: number | null;
  per_task: Record<string, TaskScore>;
  seen?: TaskScore;
  unseen?: TaskScore;
  samples: GenerationSample[];
}

export interface EvalContext {
  engine: Pick<Engine, 'evalLoss' | 'nextTokenLogits'>;
  tokenizer: Tokenizer;
  renderer: RecordRenderer;
  /** Checked between generation steps so a cancel does not wait for a whole evaluation. */
  shouldStop?: () => boolean;
}

export async function evaluate(ctx: EvalContext, items: readonly Item[], s: EvalSettings): Promise<EvalResult> {
  const { engine, tokenizer } = ctx;
  // Losses are summed per (task, seen/unseen) group: the engine sums a batch, so any reported subset is a union of groups.
  const lossOf = new Map<string, { sum: number; tokens: number }>();
  for (const [key, group] of groupByTask(items.map((it) => ({ ...it, task: groupKey(it) })))) {
    const acc = { sum: 0, tokens: 0 };
    for (const batch of batchesOf(group.map((i) => i.example), s.seqLen, s.batchSize, s.packing, tokenizer.padId)) {
      const r = await engine.evalLoss(batch);
      acc.sum += r.lossSum;
      acc.tokens += r.tokens;
    }
    lossOf.set(key, acc);
  }

  const sample = exactMatchSample(items, s.exactMatchSamples);
  const correct = new Map<Item, boolean>();
  const samples: GenerationSample[] = [];
  for (let i = 0; i < sample.length && !ctx.shouldStop?.(); i += s.batchSize) {
    const chunk = sample.slice(i, i + s.batchSize);
    const expected = chunk.map((it) => expectedResponse(it.record) ?? '');
    const prompts = chunk.map((it) => promptIds(ctx, it.record));
    // A generation longer than the answer plus slack cannot match after trimming; stopping there saves most of the
    // time a model that has not learned EOS yet would spend.
    const budget = Math.min(s.maxNewTokens, Math.max(...expected.map((e) => tokenizer.countTokens(e))) + 8);
    const answers = await greedyAnswers(engine, prompts, { tokenizer, endMarkers: ctx.renderer.endMarkers ?? [], maxNewTokens: budget, contextLength: s.seqLen, shouldStop: ctx.shouldStop });
    chunk.forEach((it, j) => {
      const text = answers[j];
      correct.set(it, text.trim() === expected[j].trim());
      if (samples.length < (s.keepSamples ?? 8)) {
        samples.push({ task: it.task, prompt: ctx.renderer.renderPrompt(promptRecord(it.record)), expected: expected[j], output: text, unseen: it.unseen });
      }
    });
  }

  const score = (subset: readonly Item[]): TaskScore => {
    let sum = 0;
    let tokens = 0;
    for (const key of new Set(subset.map(groupKey))) {
      sum += lossOf.get(key)!.sum;
      tokens += lossOf.get(key)!.tokens;
    }
    const judged = subset.filter((it) => correct.has(it));
    return { n: subset.length, exact_match: judged.length ? judged.filter((it) => correct.get(it)).length / judged.length : 0, loss: tokens ? sum / tokens : 0 };
  };
  const per_task: Record<string, TaskScore> = {};
  for (const [task, group] of groupByTask(items)) per_task[task] = score(group);
  let totalSum = 0;
  let totalTokens = 0;
  for (const acc of lossOf.values()) { totalSum += acc.sum; totalTokens += acc.tokens; }
  const judged = [...correct.values()];
  const result: EvalResult = {
    n: items.length,
    loss: totalTokens ? totalSum / totalTokens : 0,
    exact_match: judged.length ? judged.filter(Boolean).length / judged.length : null,
    per_task,
    samples,
  };
  if (items.some((it) => it.unseen)) {
    result.seen = score(items.filter((it) => !it.unseen));
    result.unseen = score(items.filter((it) => it.unseen));
  }
  return result;
}

const groupKey = (it: Item) => `${it.task}\u0000${it.unseen}`;

export function promptIds(ctx: Pick<EvalContext, 'tokenizer' | 'renderer'>, record: Record<string, unknown>): number[] {
  const ids = ctx.tokenizer.encode(ctx.renderer.renderPrompt(promptRecord(record))).ids;
  const bos = ctx.tokenizer.bosId;
  return bos !== undefined && ids[0] !== bos ? [bos, ...ids] : ids;
}

/**
 * Which items are generated for exact match: round-robin over tasks (and seen before unseen within a task) in file
 * order, so every task is represented in a small sample and the same items are judged at every evaluation.
 */
export function exactMatchSample(items: readonly Item[], n: number): Item[] {
  const withAnswer = items.filter((it) => expectedResponse(it.record) !== null);
  if (n >= withAnswer.length) return withAnswer;
  const queues = [...groupByTask(withAnswer).values()].map((g) => interleave(g.filter((it) => !it.unseen), g.filter((it) => it.unseen)));
  const out: Item[] = [];
  for (let k = 0; out.length < n; k++) for (const q of queues) if (k < q.length && out.length < n) out.push(q[k]);
  return out;
}

function interleave<T>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]);
    if (i < b.length) out.push(b[i]);
  }
  return out;
}
