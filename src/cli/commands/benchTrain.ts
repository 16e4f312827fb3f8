// `instruct-studio bench-train`: training tokens/s of the built-in GPT on synthetic data.
import type { CliCommand } from '../command';
import { UsageError } from '../args';
import { measureTraining } from '../../trainer/engine/measure';

function positiveInt(flags: Record<string, unknown>, name: string, fallback: number): number {
  const v = flags[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new UsageError(`--${name} must be a positive integer, got ${String(v)}`);
  return v;
}

export const benchTrain: CliCommand = {
  name: 'bench-train',
  summary: 'Measure training throughput (tokens/s) of the built-in GPT on synthetic data',
  usage: '[--vocab V] [--d-model D] [--layers L] [--heads H] [--context T] [--batch B] [--steps S] [--threads N] [--wasm-threads N] [--json]',
  flags: {
    vocab: { type: 'number', description: 'vocabulary size (default 1024)', valueName: 'V' },
    'd-model': { type: 'number', description: 'model width (default 256)', valueName: 'D' },
    layers: { type: 'number', description: 'transformer blocks (default 4)', valueName: 'L' },
    heads: { type: 'number', description: 'attention heads (default 4)', valueName: 'H' },
    context: { type: 'number', description: 'sequence length (default 128)', valueName: 'T' },
    batch: { type: 'number', description: 'sequences per step (default 8)', valueName: 'B' },
    steps: { type: 'number', description: 'timed steps (default 10)', valueName: 'S' },
    warmup: { type: 'number', description: 'untimed steps first (default 2)', valueName: 'N' },
    threads: { type: 'number', description: 'compute threads (default: cores, at most 2)', valueName: 'N' },
    'wasm-threads': { type: 'number', description: 'WebAssembly kernel threads per compute thread (default: chosen for the model size)', valueName: 'N' },
    json: { type: 'boolean', description: 'print one JSON object' },
  },
  async run(args, io) {
    const f = args.flags;
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const config = {
      vocabSize: positiveInt(f, 'vocab', 1024),
      dModel: positiveInt(f, 'd-model', 256),
      nLayers: positiveInt(f, 'layers', 4),
      nHeads: positiveInt(f, 'heads', 4),
      contextLength: positiveInt(f, 'context', 128),
    };
    if (config.dModel % config.nHeads !== 0) throw new UsageError(`--d-model (${config.dModel}) must be divisible by --heads (${config.nHeads})`);
    const threads = f.threads === undefined ? undefined : positiveInt(f, 'threads', 1);
    const wasmThreads = f['wasm-threads'] === undefined ? undefined : positiveInt(f, 'wasm-threads', 1);
    const warmup = f.warmup === undefined ? 2 : (f.warmup as number);
    if (!Number.isInteger(warmup) || warmup < 0) throw new UsageError(`--warmup must be an integer ≥ 0, got ${warmup}`);
    const m = await measureTraining({
      config, batchSize: positiveInt(f, 'batch', 8), steps: positiveInt(f, 'steps', 10), warmup, threads, wasmThreads,
    });
    if (f.json) {
      io.stdout(JSON.stringify({
        tokens_per_second: round(m.tokens_per_second), backend: m.backend, params: m.params, peak_rss_mb: round(m.peak_rss_mb),
        device: m.device, threads: m.threads, median_step_tokens_per_second: round(m.median_step_tokens_per_second),
        tokens_per_cpu_second: round(m.tokens_per_cpu_second),
        final_loss: m.losses.at(-1),
      }) + '\n');
    } else {
      io.stdout(`${round(m.tokens_per_second)} tokens/s (median step ${round(m.median_step_tokens_per_second)}), ` +
        `${m.params.toLocaleString('en')} parameters, ${m.backend} on ${m.device}, peak RSS ${round(m.peak_rss_mb)} MB\n`);
    }
    return 0;
  },
};

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
