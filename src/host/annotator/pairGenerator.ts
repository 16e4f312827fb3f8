// The seam for "build preference pairs from the model": the trainer feature registers a generator that samples
// two responses from a trained checkpoint (different temperatures/seeds, in the trainer child). Until one is
// registered the annotator says so and offers nothing that pretends to generate.
import type * as vscode from 'vscode';

export interface GeneratedPair {
  a: string;
  b: string;
  /** Stored with the new record so its origin is known, e.g. checkpoint, temperatures and seeds. */
  provenance: Record<string, unknown>;
}

export interface PairGenerator {
  /** Two responses to `prompt` (text, or chat messages for chat records). */
  /** `record` is the whole record, so the prompt can be rendered exactly as training renders it. */
  generate(prompt: string | unknown[], token: vscode.CancellationToken, record?: Record<string, unknown>): Promise<GeneratedPair>;
}

let current: PairGenerator | undefined;
const listeners = new Set<() => void>();

/** Called by the trainer feature when a checkpoint is available; returns a disposer. */
export function registerPairGenerator(generator: PairGenerator): { dispose(): void } {
  current = generator;
  for (const l of listeners) l();
  return {
    dispose() {
      if (current === generator) current = undefined;
      for (const l of listeners) l();
    },
  };
}

export function pairGenerator(): PairGenerator | undefined {
  return current;
}

export function onPairGeneratorChange(listener: () => void): { dispose(): void } {
  listeners.add(listener);
  return { dispose: () => listeners.delete(listener) };
}
