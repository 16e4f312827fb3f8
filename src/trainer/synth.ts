// Self-Instruct style generation: prompts built from a few seed tasks drawn at random, all prompts of a round
// sampled as one batched, KV-cached generation (generate.ts), every proposal read back and judged by the core's
// filters, until N are kept or the proposal budget is spent. The model writes plain text in the alpaca layout
// (src/core/synth/prompt.ts says why not the model's chat template); EOS ends a proposal.
import type { Tokenizer } from '../core/tokenizer/types';
import { seededRandom } from '../core/random';
import {
  SynthFilter, buildSynthPrompt, fitExamples, parseProposal, pickExamples, taskRecord,
  type DropReason, type SeedTask, type SynthFilterOptions,
} from '../core/synth';
import type { Engine } from './engine/types';
import { answerStopIds, generateIds } from './generate';
import { Rng } from './rng';

export interface SynthModel {
  engine: Pick<Engine, 'nextTokenLogits'> & Partial<Pick<Engine, 'startGeneration'>>;
  tokenizer: Tokenizer;
  contextLength: number;
}

export interface SynthOptions {
  /** How many records to keep. */
  n: number;
  /** Sampling temperature (Self-Instruct: 0.7); 0 would propose the same continuation for the same examples. */
  temperature: number;
  /** Nucleus mass (1 = the full distribution). */
  topP: number;
  /** Seeds the example draws and the sampling: the same seed, model and seed file give the same records. */
  seed: number;
  /** Seed tasks shown per prompt (fewer when they do not fit the context). */
  examplesPerPrompt: number;
  maxNewTokens: number;
  /** Stop after this many proposals even when fewer than `n` were kept. */
  maxProposals: number;
  /** Prompts generated together per round. */
  batchSize: number;
  filter: Partial<SynthFilterOptions>;
}

export const DEFAULT_SYNTH_OPTIONS: Omit<SynthOptions, 'n'> = {
  temperature: 0.7,
  topP: 0.9,
  seed: 0,
  examplesPerPrompt: 3,
  maxNewTokens: 128,
  maxProposals: 0,
  batchSize: 8,
  filter: {},
};

/** A kept record: the task's alpaca fields plus where it came from. */
export type SynthRecord = Record<string, unknown> & { source: 'synth'; seed_lines: number[] };

export interface DroppedSample {
  reason: DropReason;
  detail: string;
  text: string;
}

export interface SynthProgress {
  proposals: number;
  kept: number;
  dropped: Record<DropReason, number>;
}

export interface SynthResult extends SynthProgress {
  records: SynthRecord[];
  /** Validator problem codes behind `invalid` and `too-long` drops. */
  invalidCodes: Record<string, number>;
  /** A few dropped proposals per reason, to show what the model wrote. */
  droppedSamples: DroppedSample[];
  /** Why generation ended. */
  stoppedBy: 'enough' | 'max-proposals' | 'cancelled';
  /** Settings actually used (maxProposals resolved), for the report. */
  options: SynthOptions;
}

export async function synthesize(
  model: SynthModel,
  seeds: readonly SeedTask[],
  options: Partial<SynthOptions> & { n: number },
  hooks: { onProgress?: (p: SynthProgress) => void; shouldStop?: () => boolean } = {},
): Promise<SynthResult> {
  if (!seeds.length) throw new Error('no seed tasks: synthesis needs at least one instruction record to show the model');
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: SynthOptions = { ...DEFAULT_SYNTH_OPTIONS, ...given } as SynthOptions;
  if (!o.maxProposals) o.maxProposals = o.n * 20;
  const { tokenizer: tok, contextLength } = model;
  const filter = new SynthFilter(seeds.map((s) => s.instruction), { maxTokens: contextLength, ...o.filter });
  // Two streams from one seed: which examples each prompt shows, and the tokens sampled.
  const random = seededRandom(o.seed);
  const rng = new Rng(o.seed + 1);
  const stopIds = answerStopIds(tok);
  const budget = Math.max(1, contextLength - o.maxNewTokens);
  const records: SynthRecord[] = [];
  const samples: DroppedSample[] = [];
  let proposals = 0;
  let stoppedBy: SynthResult['stoppedBy'] = 'enough';
  const progress = (): SynthProgress => ({ proposals, kept: filter.kept, dropped: { ...filter.dropped } });

  while (filter.kept < o.n) {
    if (hooks.shouldStop?.()) { stoppedBy = 'cancelled'; break; }
    if (proposals >= o.maxProposals) { stoppedBy = 'max-proposals'; break; }
    const rows = Math.min(o.batchSize, o.maxProposals - proposals);
    const shown = Array.from({ length: rows }, () => fitExamples(pickExamples(seeds, o.examplesPerPrompt, random), (t) => tok.countTokens(t), budget));
    const prompts = shown.map((ex) => withBos(tok, tok.encode(buildSynthPrompt(ex)).ids));
    const outputs = await generateIds(model.engine, prompts, { maxNewTokens: o.maxNewTokens, temperature: o.temperature, topK: 0, topP: o.topP, stopIds }, contextLength, rng, hooks.shouldStop);
    if (hooks.shouldStop?.()) { stoppedBy = 'cancelled'; break; }
    for (let i = 0; i < rows && filter.kept < o.n; i++) {
      proposals++;
      const text = tok.decode(outputs[i], { skipSpecial: true });
      const task = parseProposal(text);
      const verdict = filter.consider(task);
      if (verdict.kept) records.push({ ...taskRecord(task), source: 'synth', seed_lines: shown[i].map((s) => s.line) });
      else if (samples.filter((s) => s.reason === verdict.reason).length < 3) samples.push({ reason: verdict.reason, detail: verdict.detail, text });
    }
    hooks.onProgress?.(progress());
  }
  return { ...progress(), records, invalidCodes: { ...filter.invalidCodes }, droppedSamples: samples, stoppedBy, options: o };
}

function withBos(tok: Tokenizer, ids: number[]): number[] {
  return tok.bosId !== undefined && ids[0] !== tok.bosId ? [tok.bosId, ...ids] : ids;
}
