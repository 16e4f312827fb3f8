// A replica computes loss, gradients and logits for rows of a batch on one TensorFlow.js backend, for one
// architecture; the weights' master copy and the optimizer live outside it (index.ts, adamw.ts). This is all
// that the computes (local.ts, pool.ts, worker.ts) and cached generation (generation.ts) see of a model.
import type { Tf } from '../backend/index';
import type { GradientResult } from './compute';
import type { ParamLayout, ResolvedModelConfig } from './params';
import type { RowSlice } from './rows';
import { GptReplica } from './model';
import { LlamaReplica } from './llama';

/** Row i's heads in a row-major buffer start at data[i * stride + offset], head h at + h * headDim. */
export interface HeadRows { data: Float32Array; stride: number; offset: number }

/** New tokens for a forward-only pass: `ids` laid out as [rows, seq] at `positions`. */
export interface GenerationInput {
  ids: readonly number[];
  positions: readonly number[];
  rows: number;
  seq: number;
  /** Flat token indexes whose next-token logits are returned, in this order. */
  outputs: readonly number[];
}

export interface GenerationHooks {
  /** Each layer's keys and values of the new tokens (after RoPE where the model has it), for a cache. */
  kv(layer: number, k: HeadRows, v: HeadRows): void;
  /**
   * The layer's attention output for the new queries, [n, heads · headDim]. Absent: causal attention among the
   * tokens of each row (a prefill).
   */
  attend?(layer: number, q: HeadRows): Float32Array;
}

export interface AttentionGeometry { layers: number; heads: number; kvHeads: number; headDim: number }

export interface Replica {
  readonly config: ResolvedModelConfig;
  readonly attention: AttentionGeometry;
  /**
   * Adds d(Σ wᵢ·lossᵢ)/dθ over the rows into `grad` (same layout as params) and returns the weighted loss sum.
   * Summed, not averaged: the caller divides by the trained-token count of the whole step.
   */
  accumulateGradients(slice: RowSlice, grad: Float32Array): GradientResult;
  /** Weighted loss sum over the rows, no gradients. */
  loss(slice: RowSlice): GradientResult;
  /** Σₜ wₜ·nllₜ of each row, no gradients. */
  rowLosses(slice: RowSlice): Float32Array;
  /** Logits after the last token of one sequence (at most contextLength tokens). */
  lastLogits(sequence: readonly number[]): Float32Array;
  /** A forward-only pass for KV-cached generation; all tensors freed before it returns. */
  generationForward(input: GenerationInput, hooks: GenerationHooks): Float32Array[];
  /** The master weights were written: re-upload before the next use. */
  weightsChanged(): void;
  dispose(): void;
}

export function createReplica(tf: Tf, config: ResolvedModelConfig, layout: ParamLayout, params: Float32Array): Replica {
  return config.architecture === 'llama'
    ? new LlamaReplica(tf, config, layout, params)
    : new GptReplica(tf, config, layout, params);
}
