// `npm run bench train`: training throughput of the engine against the PyTorch reference of the same
// model and step (scripts/torch_reference.py), measured in the same invocation, plus loss parity from
// the same initial weights. Runs each measurement in its own process so peak RSS is per run.
// Env: BENCH_REPEATS (default 3, medians reported), BENCH_STEPS (timed steps per run, default 8).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../src/trainer/engine/index';
import { paramLayout, resolveConfig } from '../src/trainer/engine/params';
import type { Batch, GptConfig, OptimizerSettings } from '../src/trainer/engine/types';
import { uniform } from '../src/trainer/engine/rng';

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const steps = Number(process.env.BENCH_STEPS ?? 8);

interface Case { name: string; vocab: number; dModel: number; layers: number; heads: number; context: number; batch: number }
const CASES: Case[] = [
  { name: 'standard', vocab: 1024, dModel: 256, layers: 4, heads: 4, context: 128, batch: 8 },
  { name: 'tiny (demo)', vocab: 263, dModel: 128, layers: 2, heads: 4, context: 128, batch: 16 },
];

function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

const torchEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: '2' };

function runOurs(c: Case): { tokens_per_second: number; tokens_per_cpu_second: number; peak_rss_mb: number; backend: string; device: string; params: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'bench-train', '--vocab', `${c.vocab}`, '--d-model', `${c.dModel}`,
    '--layers', `${c.layers}`, '--heads', `${c.heads}`, '--context', `${c.context}`, '--batch', `${c.batch}`, '--steps', `${steps}`, '--json'],
  { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench-train failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function runTorch(py: string, c: Case): { tokens_per_second: number; tokens_per_cpu_second: number; peak_rss_mb: number; torch: string } {
  const r = spawnSync(py, ['scripts/torch_reference.py', '--vocab', `${c.vocab}`, '--d-model', `${c.dModel}`, '--layers', `${c.layers}`,
    '--heads', `${c.heads}`, '--context', `${c.context}`, '--batch', `${c.batch}`, '--steps', `${steps}`, '--threads', '2'],
  { encoding: 'utf8', env: torchEnv });
  if (r.status !== 0) throw new Error(`torch reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (x: number) => x.toFixed(0).padStart(7);

/**
 * Loss parity: our initial weights and a few steps of micro-batches (with masking and packing) go to
 * the reference; the per-step losses must agree to float32 accuracy.
 */
async function parity(py: string): Promise<boolean> {
  const config: GptConfig = { vocabSize: 97, contextLength: 32, dModel: 64, nLayers: 2, nHeads: 4 };
  const opt: OptimizerSettings = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 };
  const rnd = uniform(42);
  const mk = (B: number, T: number, packed: boolean): Batch => {
    const n = B * T;
    const segments = packed ? Int32Array.from({ length: n }, (_, i) => Math.floor((i % T) / 11)) : undefined;
    return {
      batchSize: B, seqLen: T, segments,
      tokens: Int32Array.from({ length: n }, () => Math.floor(rnd() * 97)),
      targets: Int32Array.from({ length: n }, () => Math.floor(rnd() * 97)),
      weights: Float32Array.from({ length: n }, () => (rnd() < 0.75 ? 1 : 0)),
    };
  };
  const stepsIn = Array.from({ length: 6 }, (_, s) => [mk(3, 32, s % 2 === 1), mk(2, 20, false)]);
  const dir = mkdtempSync(join(tmpdir(), 'engine-parity-'));
  try {
    const ours: number[] = [];
    const engine = await createEngine({ config, seed: 3, threads: 1 });
    const layout = paramLayout(resolveConfig(config));
    const state = await engine.getState();
    const flat = new Float32Array(layout.total);
    for (const s of layout.specs) flat.set(state.params[s.name].data, s.offset);
    for (const micro of stepsIn) ours.push((await engine.trainStep(micro, opt)).loss);
    await engine.dispose();
    const resolved = resolveConfig(config);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      config: resolved, optimizer: opt,
      layout: layout.specs.map((s) => ({ name: s.name, shape: s.shape, offset: s.offset, size: s.size })),
      steps: stepsIn.map((m) => m.map((b) => ({ batchSize: b.batchSize, seqLen: b.seqLen, segments: Boolean(b.segments) }))),
    }));
    writeFileSync(join(dir, 'params.bin'), Buffer.from(flat.buffer));
    const chunks: Buffer[] = [];
    for (const m of stepsIn) for (const b of m) {
      chunks.push(Buffer.from(b.tokens.buffer), Buffer.from(b.targets.buffer), Buffer.from(b.weights.buffer));
      if (b.segments) chunks.push(Buffer.from(b.segments.buffer));
    }
    writeFileSync(join(dir, 'batches.bin'), Buffer.concat(chunks));
    const r = spawnSync(py, ['scripts/torch_reference.py', '--init', dir, '--threads', '1'], { encoding: 'utf8', env: torchEnv });
    if (r.status !== 0) throw new Error(`torch reference failed: ${r.stderr}`);
    const ref = JSON.parse(r.stdout) as { losses: number[] };
    let ok = true;
    console.log('\nloss parity (same init, 6 steps × 2 micro-batches, masked and packed rows):');
    console.log('  step   ours        pytorch     |diff|');
    ours.forEach((l, i) => {
      const d = Math.abs(l - ref.losses[i]);
      // Float32 rounding compounds through Adam steps; a wiring bug shows up as 1e-2 or more at step 0.
      const good = d < 2e-4 * Math.max(1, Math.abs(l)) * (i + 1);
      ok &&= good;
      console.log(`  ${i}      ${l.toFixed(6)}    ${ref.losses[i].toFixed(6)}    ${d.toExponential(1)}${good ? '' : '  MISMATCH'}`);
    });
    console.log(ok ? '  parity: ok' : '  parity: FAILED');
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores; figures are medians of ${repeats})`);
  const py = findTorchPython();
  if (!py) console.log('PyTorch not found (apt-get install python3-torch libopenblas0-pthread): reporting ours only, no ratio, no parity');
  if (py && !existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread')) console.log('note: libopenblas0-pthread not found: the reference runs on reference BLAS and is ~10× slower');
  let failed = false;
  for (const c of CASES) {
    const ours: Array<ReturnType<typeof runOurs>> = [];
    const ref: Array<ReturnType<typeof runTorch>> = [];
    for (let i = 0; i < repeats; i++) {
      ours.push(runOurs(c));
      if (py) ref.push(runTorch(py, c));
    }
    const o = median(ours.map((r) => r.tokens_per_second));
    console.log(`\n${c.name}: vocab ${c.vocab}, d_model ${c.dModel}, ${c.layers} layers, ${c.heads} heads, context ${c.context}, batch ${c.batch} (${ours[0].params.toLocaleString('en')} params)`);
    console.log(`  ours     ${fmt(o)} tokens/s   peak RSS ${fmt(median(ours.map((r) => r.peak_rss_mb)))} MB   ${ours[0].backend}: ${ours[0].device}   runs: ${ours.map((r) => r.tokens_per_second.toFixed(0)).join(', ')}`);
    if (py) {
      const t = median(ref.map((r) => r.tokens_per_second));
      console.log(`  pytorch  ${fmt(t)} tokens/s   peak RSS ${fmt(median(ref.map((r) => r.peak_rss_mb)))} MB   torch ${ref[0].torch}, 2 threads, OMP_WAIT_POLICY=PASSIVE   runs: ${ref.map((r) => r.tokens_per_second.toFixed(0)).join(', ')}`);
      console.log(`  ratio    ${(o / t).toFixed(2)}× PyTorch (wall clock)`);
      // Per CPU-second: robust to neighbours' load on a shared machine (both use 2 threads).
      const oc = median(ours.map((r) => r.tokens_per_cpu_second));
      const tc = median(ref.map((r) => r.tokens_per_cpu_second));
      console.log(`  per CPU-second: ours ${oc.toFixed(0)}, pytorch ${tc.toFixed(0)} tokens → ${(oc / tc).toFixed(2)}× PyTorch`);
    }
  }
  if (py) failed = !(await parity(py));
  console.log(`\nload average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  process.exit(failed ? 1 : 0);
}

void main();
