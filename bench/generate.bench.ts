// `npm run bench generate`: generation throughput of the batched KV-cached session against the old path (a full
// forward per sequence per new token through nextTokenLogits), both measured in this run on the same engine and
// weights, for the tiny demo model. Greedy with no stop token, so both produce exactly prompts × new tokens, and
// their outputs must be identical. Env: BENCH_PROMPTS (default 64), BENCH_NEW_TOKENS (default 48).
import { loadavg } from 'node:os';
import { createEngine } from '../src/trainer/engine/index';
import type { Engine, GptConfig } from '../src/trainer/engine/types';
import { uniform } from '../src/trainer/engine/rng';
import { generateIds, GREEDY } from '../src/trainer/generate';

const config: GptConfig = { vocabSize: 263, contextLength: 128, dModel: 128, nLayers: 2, nHeads: 4 };
const nPrompts = Number(process.env.BENCH_PROMPTS ?? 64);
const newTokens = Number(process.env.BENCH_NEW_TOKENS ?? 48);

// Prompt lengths like the demo's rendered instructions (40–100 tokens): with 48 new tokens the longest outgrow the
// 128-token context and slide, which re-prefills them every step (learned positions shift). Shorter prompts (20–60)
// never slide: every step after the prefill is one cached position per row.
const CASES = [
  { name: 'prompts of 40–100 tokens (some slide past the context)', min: 40, max: 100 },
  { name: 'prompts of 20–60 tokens (none slides)', min: 20, max: 60 },
];

async function main(): Promise<void> {
  const engine = await createEngine({ config, seed: 1 });
  console.log(`generation, tiny demo model (vocab ${config.vocabSize}, d_model ${config.dModel}, ${config.nLayers} layers, ${config.nHeads} heads, context ${config.contextLength}), ${engine.backend.device}`);
  let failed = false;
  for (const c of CASES) failed = !(await runCase(engine, c.name, c.min, c.max)) || failed;
  await engine.dispose();
  if (failed) process.exitCode = 1;
}

async function runCase(engine: Engine, name: string, min: number, max: number): Promise<boolean> {
  const rnd = uniform(7);
  const prompts = Array.from({ length: nPrompts }, () => Array.from({ length: min + Math.floor(rnd() * (max - min + 1)) }, () => Math.floor(rnd() * 256)));
  const opts = { ...GREEDY, maxNewTokens: newTokens, stopIds: [] };
  const uncached = { nextTokenLogits: (s: number[][]) => engine.nextTokenLogits(s) };
  const measure = async (name: string, run: () => Promise<number[][]>) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await run();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const tokens = out.reduce((n, o) => n + o.length, 0);
    return { name, out, tokens, seconds, perSecond: tokens / seconds, perCpuSecond: tokens / ((cpu.user + cpu.system) / 1e6) };
  };
  // Warm-up: the first forwards compile wasm kernels and upload weights.
  await generateIds(engine, prompts.slice(0, 2), { ...opts, maxNewTokens: 2 }, config.contextLength);
  await generateIds(uncached, prompts.slice(0, 2), { ...opts, maxNewTokens: 2 }, config.contextLength);
  const load = loadavg()[0];
  const old = await measure('old: full forward per sequence per token', () => generateIds(uncached, prompts, opts, config.contextLength));
  const cached = await measure('new: batched, KV-cached session', () => generateIds(engine, prompts, opts, config.contextLength));
  const same = JSON.stringify(old.out) === JSON.stringify(cached.out);
  console.log(`${name}: ${nPrompts} prompts × ${newTokens} new tokens, greedy; load average ${load.toFixed(2)} at start`);
  for (const r of [old, cached]) {
    console.log(`  ${r.name.padEnd(44)} ${r.tokens} tokens in ${r.seconds.toFixed(2).padStart(7)} s: ${r.perSecond.toFixed(1).padStart(8)} tokens/s, ${r.perCpuSecond.toFixed(1).padStart(8)} tokens/CPU-s`);
  }
  console.log(`  ratio new/old: ${(cached.perSecond / old.perSecond).toFixed(1)}× tokens/s, ${(cached.perCpuSecond / old.perCpuSecond).toFixed(1)}× tokens/CPU-s`);
  console.log(`  outputs identical: ${same ? 'yes' : 'NO'}`);
  return same;
}

void main().catch((e) => { console.error(e); process.exit(1); });
