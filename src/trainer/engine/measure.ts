// Training throughput on synthetic data, shared by `instruct-studio bench-train` and `npm run bench train`.
import { createEngine } from './index';
import { uniform } from './rng';
import type { Batch, GptConfig, OptimizerSettings } from './types';

export interface MeasureOptions {
  config: GptConfig;
  batchSize: number;
  steps: number;
  /** Untimed steps first (worker start-up, wasm heap growth). */
  warmup?: number;
  threads?: number;
  wasmThreads?: number;
  seed?: number;
}

export interface Measurement {
  tokens_per_second: number;
  /** Median over steps of per-step tokens/s: less sensitive to a neighbour's burst of CPU use. */
  median_step_tokens_per_second: number;
  backend: string;
  device: string;
  threads: number;
  params: number;
  peak_rss_mb: number;
  /**
   * Tokens per CPU-second of the whole process (all threads). On a shared machine wall-clock figures
   * swing with the neighbours' load; CPU time per token barely does, so this compares implementations.
   */
  tokens_per_cpu_second: number;
  losses: number[];
}

export const BENCH_OPTIMIZER: OptimizerSettings = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 };

/** Random tokens; each target is the next token of the row (a plain language-modelling step). */
export function syntheticBatch(vocab: number, batchSize: number, seqLen: number, seed: number): Batch {
  const rnd = uniform(seed);
  const n = batchSize * seqLen;
  const tokens = Int32Array.from({ length: n }, () => Math.floor(rnd() * vocab));
  const targets = new Int32Array(n);
  for (let r = 0; r < batchSize; r++) {
    for (let t = 0; t < seqLen; t++) targets[r * seqLen + t] = tokens[r * seqLen + ((t + 1) % seqLen)];
  }
  return { batchSize, seqLen, tokens, targets, weights: new Float32Array(n).fill(1) };
}

export async function measureTraining(o: MeasureOptions): Promise<Measurement> {
  const engine = await createEngine({ config: o.config, seed: o.seed ?? 1, threads: o.threads, wasmThreads: o.wasmThreads });
  try {
    const T = o.config.contextLength;
    const warmup = o.warmup ?? 2;
    for (let s = 0; s < warmup; s++) await engine.trainStep([syntheticBatch(o.config.vocabSize, o.batchSize, T, 1000 + s)], BENCH_OPTIMIZER);
    const losses: number[] = [];
    const perStep: number[] = [];
    const batches = Array.from({ length: o.steps }, (_, s) => syntheticBatch(o.config.vocabSize, o.batchSize, T, s));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const b of batches) {
      const s0 = performance.now();
      losses.push((await engine.trainStep([b], BENCH_OPTIMIZER)).loss);
      perStep.push(performance.now() - s0);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const tokens = o.batchSize * T * o.steps;
    perStep.sort((a, b) => a - b);
    return {
      tokens_per_second: tokens / seconds,
      median_step_tokens_per_second: (o.batchSize * T) / (perStep[perStep.length >> 1] / 1000),
      backend: engine.backend.name,
      device: engine.backend.device,
      threads: engine.backend.threads,
      params: engine.parameterCount,
      // maxRSS covers the worker threads too: they share the process.
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      tokens_per_cpu_second: tokens / cpuSeconds,
      losses,
    };
  } finally {
    await engine.dispose();
  }
}
