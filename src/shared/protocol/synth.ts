// `synth --json` lines: what the CLI child prints and the editor reads back, one JSON object per line. The extension
// runs synthesis as that child (src/host/synth/), so this is the child-process protocol and is validated on receipt.
import { arrayOf, nullable, num, oneOf, record, shape, str, validateMessage, type Check } from './check';
import type { DropReason } from '../../core/synth/types';

export interface SynthCounts {
  proposals: number;
  kept: number;
  dropped: Record<DropReason, number>;
}

export type SynthLine =
  | ({ type: 'progress'; n: number } & SynthCounts)
  | ({
    type: 'done';
    /** The file written; null when nothing was kept (nothing is written then). */
    out: string | null;
    seedFile: string;
    seeds: number;
    model: string;
    invalidCodes: Record<string, number>;
    stoppedBy: 'enough' | 'max-proposals' | 'cancelled';
    droppedSamples: Array<{ reason: DropReason; detail: string; text: string }>;
    settings: { temperature: number; topP: number; seed: number; examplesPerPrompt: number; maxNewTokens: number; maxProposals: number; maxRougeL?: number };
  } & SynthCounts);

const counts = { proposals: num, kept: num, dropped: record(num) };
const lines: { [K in SynthLine['type']]: Check } = {
  progress: shape({ n: num, ...counts }),
  done: shape({
    ...counts,
    out: nullable(str), seedFile: str, seeds: num, model: str, invalidCodes: record(num),
    stoppedBy: oneOf('enough', 'max-proposals', 'cancelled'),
    droppedSamples: arrayOf(shape({ reason: str, detail: str, text: str }), 100),
    settings: shape({ temperature: num, topP: num, seed: num, examplesPerPrompt: num, maxNewTokens: num, maxProposals: num }),
  }),
};

export const validateSynthLine = (v: unknown) => validateMessage<SynthLine>(lines, v);

/** Parses one stdout line; null for lines that are not JSON (the caller logs them). */
export function parseSynthLine(text: string): ReturnType<typeof validateSynthLine> | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  return validateSynthLine(v);
}
