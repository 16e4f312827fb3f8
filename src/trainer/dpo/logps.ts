// Sequence log-probabilities of preference pairs, and the reference model's, computed once. The reference is the
// model DPO starts from: its log-probabilities are measured before the first update for every training and eval
// pair (TRL's precompute_ref_log_probs), so no second copy of the weights is ever held, with or without LoRA. They are
// kept in the run folder (reference_logps.json) so a resumed run compares against the same reference.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine/types';
import { writeJsonAtomic } from '../atomicFile';
import { pairBatch, type PreferencePair } from './data';

/** Summed log-probabilities of each pair's chosen and rejected response. */
export interface SideLogps {
  chosen: number[];
  rejected: number[];
}

export interface ReferenceLogps {
  train: SideLogps;
  eval: SideLogps;
}

/** Log-probabilities under the engine's current weights, `pairsPerBatch` pairs (2× rows) per forward. */
export async function pairLogps(
  engine: Pick<Engine, 'rowLosses'>, pairs: readonly PreferencePair[], contextLength: number, padId: number, pairsPerBatch: number, shouldStop?: () => boolean,
): Promise<SideLogps> {
  const out: SideLogps = { chosen: [], rejected: [] };
  for (let i = 0; i < pairs.length; i += pairsPerBatch) {
    if (shouldStop?.()) break;
    const chunk = pairs.slice(i, i + pairsPerBatch);
    const rows = await engine.rowLosses(pairBatch(chunk, contextLength, padId));
    const n = chunk.length;
    for (let k = 0; k < n; k++) {
      out.chosen.push(-rows[k]);
      out.rejected.push(-rows[n + k]);
    }
  }
  return out;
}

export const REFERENCE_FILE = 'reference_logps.json';

export function saveReference(out: string, ref: ReferenceLogps): void {
  writeJsonAtomic(join(out, REFERENCE_FILE), { format: 'instruct-studio-dpo-reference', version: 1, ...ref });
}

/** The saved reference, checked against the pair counts of this run's data; null when none was saved. */
export function loadReference(out: string, trainPairs: number, evalPairs: number): ReferenceLogps | null {
  const file = join(out, REFERENCE_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const sides = (v: unknown, name: string, n: number): SideLogps => {
    const s = v as Partial<SideLogps> | undefined;
    const ok = (a: unknown): a is number[] => Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!s || !ok(s.chosen) || !ok(s.rejected)) {
      throw new Error(`${file}: "${name}" must hold ${n} finite log-probabilities per side (the data changed since the run started?)`);
    }
    return { chosen: s.chosen, rejected: s.rejected };
  };
  const r = raw as Record<string, unknown>;
  return { train: sides(r.train, 'train', trainPairs), eval: sides(r.eval, 'eval', evalPairs) };
}
