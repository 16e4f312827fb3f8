// Threaded WebAssembly (wasmThreads.ts): the package refuses it under Node unless its pthread workers are
// started from files and its thread cap is raised. When it runs it must compute what one thread computes,
// and its pthreads must never keep a process alive. The backend is chosen once per process, so the
// threaded one runs in a child process (and in the data-parallel workers, each its own backend).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createEngine } from '../../../src/trainer/engine/index';
import type { GptConfig } from '../../../src/trainer/engine/types';
import { OPT, randomBatch } from './helpers';

// Wide enough that XNNPACK splits its products over both threads.
const CONFIG: GptConfig = { vocabSize: 61, contextLength: 16, dModel: 64, nLayers: 2, nHeads: 4 };
const batches = (s: number) => [randomBatch(CONFIG, 4, 16, 900 + s), randomBatch(CONFIG, 3, 11, 950 + s)];

async function losses(threads: number, wasmThreads: number): Promise<{ losses: number[]; threads: number; device: string }> {
  const engine = await createEngine({ config: CONFIG, seed: 5, threads, wasmThreads });
  const out: number[] = [];
  for (let s = 0; s < 3; s++) out.push((await engine.trainStep(batches(s), OPT)).loss);
  const { threads: t, device } = engine.backend;
  await engine.dispose();
  return { losses: out, threads: t, device };
}

function close(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= 1e-5 * Math.abs(b[i]));
}

test('one process with 2 wasm threads trains like 1 thread, and exits by itself without dispose', async () => {
  const single = await losses(1, 1);
  // No dispose, no process.exit: a pthread that kept the event loop alive would hang here until the timeout.
  const script = `
    const { createEngine } = require('./src/trainer/engine/index');
    const { OPT, randomBatch } = require('./test/unit/engine/helpers');
    const CONFIG = ${JSON.stringify(CONFIG)};
    (async () => {
      const engine = await createEngine({ config: CONFIG, seed: 5, threads: 1, wasmThreads: 2 });
      const losses = [];
      for (let s = 0; s < 3; s++) {
        const b = [randomBatch(CONFIG, 4, 16, 900 + s), randomBatch(CONFIG, 3, 11, 950 + s)];
        losses.push((await engine.trainStep(b, OPT)).loss);
      }
      console.log(JSON.stringify({ losses, backend: engine.backend }));
    })();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.signal, null, `the child did not exit by itself (killed by ${r.signal}); stderr: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const child = JSON.parse(r.stdout.trim().split('\n').pop()!) as { losses: number[]; backend: { threads: number; device: string; reason: string } };
  assert.equal(child.backend.threads, 2, `threaded wasm did not start: ${child.backend.reason}`);
  assert.match(child.backend.device, /WebAssembly SIMD, (FMA|SIMD) kernels, 2 threads\)/);
  assert.ok(close(child.losses, single.losses), `2 wasm threads ${child.losses} vs 1 thread ${single.losses}`);
});

test('data-parallel workers with 2 wasm threads each train like 1 thread, deterministically', async () => {
  const single = await losses(1, 1);
  const a = await losses(2, 2);
  const b = await losses(2, 2);
  assert.equal(a.threads, 4);
  assert.match(a.device, /2 threads in each of 2 data-parallel workers/);
  assert.ok(close(a.losses, single.losses), `${a.losses} vs ${single.losses}`);
  assert.deepEqual(a.losses, b.losses);
});
