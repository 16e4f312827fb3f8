// generation_config.json → sampling defaults, read as transformers reads it: sampling only when do_sample is true
// (then temperature 1, top_k 50, top_p 1 unless given), repetition_penalty, max_new_tokens, and the EOS ids that
// end a response (an id or a list). Command-line flags override these.
import type { SamplingOptions } from '../generate';

export type SamplingDefaults = Partial<Pick<SamplingOptions, 'temperature' | 'topK' | 'topP' | 'repetitionPenalty' | 'maxNewTokens'>> & { stopIds: number[] };

export function samplingDefaults(gen: Record<string, unknown> | null | undefined): SamplingDefaults {
  if (!gen) return { stopIds: [] };
  const num = (k: string, ok: (v: number) => boolean): number | undefined => (typeof gen[k] === 'number' && ok(gen[k] as number) ? (gen[k] as number) : undefined);
  const out: SamplingDefaults = { stopIds: [] };
  if (gen.do_sample === true) {
    out.temperature = num('temperature', (v) => v >= 0) ?? 1;
    out.topK = num('top_k', (v) => Number.isInteger(v) && v >= 0) ?? 50;
    out.topP = num('top_p', (v) => v > 0 && v <= 1) ?? 1;
  } else {
    out.temperature = 0;
  }
  const rp = num('repetition_penalty', (v) => v > 0);
  if (rp !== undefined) out.repetitionPenalty = rp;
  const mnt = num('max_new_tokens', (v) => Number.isInteger(v) && v > 0);
  if (mnt !== undefined) out.maxNewTokens = mnt;
  const eos = gen.eos_token_id;
  out.stopIds = (Array.isArray(eos) ? eos : [eos]).filter((v): v is number => Number.isInteger(v));
  return out;
}
