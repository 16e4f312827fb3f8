// Data-parallel gradients on worker threads: each worker has its own TensorFlow.js backend (wasm
// runs one thread per instance under Node), reads the weights from the shared master copy, and
// writes summed gradients for its rows into its own shared buffer; the buffers are added in a fixed
// order, so a run is deterministic for a given thread count. With a sharded optimizer each worker adds
// them and runs AdamW for its own slice of the parameters; otherwise this thread adds them up.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch, BackendInfo, OptimizerSettings } from './types';
import { splitRows, type Compute, type GradientResult, type ShardedOptimizer } from './compute';
import type { ResolvedModelConfig } from './params';
import type { BackendName } from '../backend/index';

export interface WorkerInit {
  config: ResolvedModelConfig;
  backend: BackendName;
  /** WebAssembly kernel threads inside this worker (1: none besides the worker itself). */
  wasmThreads: number;
  params: SharedArrayBuffer;
  /** This worker's gradient buffer. */
  grad: SharedArrayBuffer;
  /**
   * With a sharded optimizer: every worker's gradient buffer (in worker order), the averaged gradient and Adam's
   * moments, all shared, for the slice of the parameters this worker reduces and updates.
   */
  optimizer?: { grads: SharedArrayBuffer[]; grad: SharedArrayBuffer; m: SharedArrayBuffer; v: SharedArrayBuffer };
}

/** The arrays a sharded optimizer step works on, shared with the workers. */
export interface SharedOptimizerArrays { grad: Float32Array; m: Float32Array; v: Float32Array }

export type WorkerRequest =
  | { id: number; version: number; kind: 'gradients'; slices: Array<{ batch: Batch; start: number; end: number }> }
  | { id: number; version: number; kind: 'loss'; slices: Array<{ batch: Batch; start: number; end: number }> }
  | { id: number; version: number; kind: 'rows'; slices: Array<{ batch: Batch; start: number; end: number }> }
  | { id: number; version: number; kind: 'logits'; sequences: number[][] }
  | { id: number; version: number; kind: 'reduce'; lo: number; hi: number; inv: number }
  | { id: number; version: number; kind: 'update'; lo: number; hi: number; opt: OptimizerSettings; scale: number; step: number };

type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

export type WorkerReply =
  | { id: number; ok: true; lossSum: number; weightSum: number; logits?: Float32Array[]; rows?: Float32Array; sumOfSquares?: number }
  | { id: number; ok: false; error: string };

/** Where the worker's code is: beside this file from source (run through tsx), dist/engineWorker.js when bundled. */
function workerScript(): string {
  const fromSource = join(__dirname, 'worker.ts');
  if (__filename.endsWith('.ts') && existsSync(fromSource)) return fromSource;
  const bundled = join(__dirname, 'engineWorker.js');
  if (existsSync(bundled)) return bundled;
  throw new Error(`engine worker script not found (looked for ${bundled}); run the build`);
}

interface Pending { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }

class EngineWorker {
  readonly grad: Float32Array;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  info!: BackendInfo;

  private constructor(readonly worker: Worker, grad: SharedArrayBuffer) {
    this.grad = new Float32Array(grad);
    worker.on('message', (m: WorkerReply | { ready: true }) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m);
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new Error(`engine worker failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`engine worker exited (code ${code})`)));
  }

  static start(init: WorkerInit): Promise<EngineWorker> {
    const script = workerScript();
    // From source the worker needs tsx's loader: Node does not pass `--import tsx` on to worker threads.
    const worker = script.endsWith('.ts')
      ? new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(script)});`, { eval: true, workerData: init })
      : new Worker(script, { workerData: init });
    const w = new EngineWorker(worker, init.grad);
    return new Promise((resolve, reject) => {
      const onMessage = (m: { ready?: true; info?: BackendInfo; error?: string }) => {
        worker.off('message', onMessage);
        worker.off('error', reject);
        if (m.error) reject(new Error(`engine worker could not start: ${m.error}`));
        else {
          w.info = m.info!;
          resolve(w);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  request(r: RequestBody): Promise<WorkerReply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (m) => (m.ok ? resolve(m) : reject(new Error(m.error))),
        reject,
      });
      this.worker.postMessage({ ...r, id });
    });
  }
}

export class PoolCompute implements Compute {
  private version = 0;
  /** Present when the workers also reduce gradients and run AdamW, each on its slice of the parameters. */
  readonly sharded?: ShardedOptimizer;

  private constructor(readonly backend: BackendInfo, private readonly workers: EngineWorker[], sharded: boolean, total: number) {
    if (sharded) {
      const slices = splitRows(total, workers.length);
      this.sharded = {
        gradientsInWorkers: async (microBatches) => sum(await this.scatter('gradients', microBatches)),
        reduce: async (inv) => {
          const replies = await Promise.all(workers.map((w, i) => w.request({ kind: 'reduce', version: this.version, lo: slices[i][0], hi: slices[i][1], inv })));
          // Fixed order, so the norm is the same every run.
          return replies.reduce((s, r) => s + (r.sumOfSquares ?? 0), 0);
        },
        update: async (opt, scale, step) => {
          await Promise.all(workers.map((w, i) => w.request({ kind: 'update', version: this.version, lo: slices[i][0], hi: slices[i][1], opt, scale, step })));
        },
      };
    }
  }

  /**
   * `optimizer`: shared arrays for a sharded optimizer step (the averaged gradient and AdamW's moments over all
   * parameters); without them the workers only compute gradients and this thread adds them up.
   */
  static async start(info: BackendInfo, config: ResolvedModelConfig, params: Float32Array, threads: number, wasmThreads = 1, optimizer?: SharedOptimizerArrays): Promise<PoolCompute> {
    const backend = info.name as BackendName;
    const grads = Array.from({ length: threads }, () => new SharedArrayBuffer(params.length * 4));
    const shared = optimizer && {
      grads, grad: optimizer.grad.buffer as SharedArrayBuffer, m: optimizer.m.buffer as SharedArrayBuffer, v: optimizer.v.buffer as SharedArrayBuffer,
    };
    const started = await Promise.allSettled(grads.map((grad) => EngineWorker.start({
      config, backend, wasmThreads, params: params.buffer as SharedArrayBuffer, grad, optimizer: shared,
    })));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw failed.reason;
    }
    // Each worker reports the backend it really started (a threaded build may have fallen back).
    const inner = workers[0].info;
    const device = inner.device.replace(/\)$/, ` in each of ${threads} data-parallel workers)`);
    return new PoolCompute({ ...inner, device, threads: threads * inner.threads, reason: [info.reason, ...inner.reason.split('; ').filter((r) => r.startsWith('threaded'))].join('; ') }, workers, Boolean(optimizer), params.length);
  }

  async gradients(microBatches: Batch[], grad: Float32Array): Promise<GradientResult> {
    const replies = await this.scatter('gradients', microBatches);
    // Fixed order: worker 0's buffer first, so the sum is the same every run.
    for (const w of this.workers) {
      const g = w.grad;
      for (let i = 0; i < g.length; i++) grad[i] += g[i];
    }
    return sum(replies);
  }

  async loss(batch: Batch): Promise<GradientResult> {
    return sum(await this.scatter('loss', [batch]));
  }

  async rowLosses(batch: Batch): Promise<Float32Array> {
    // Each worker holds a contiguous range of rows, in worker order: concatenating keeps the batch's row order.
    const replies = await this.scatter('rows', [batch]);
    const out = new Float32Array(batch.batchSize);
    let at = 0;
    for (const r of replies) {
      out.set(r.rows ?? [], at);
      at += r.rows?.length ?? 0;
    }
    return out;
  }

  async lastLogits(sequences: number[][]): Promise<Float32Array[]> {
    const parts = splitRows(sequences.length, this.workers.length);
    const replies = await Promise.all(parts.map(([s, e], i) => (e > s
      ? this.workers[i].request({ kind: 'logits', version: this.version, sequences: sequences.slice(s, e) })
      : Promise.resolve({ logits: [] as Float32Array[] }))));
    return replies.flatMap((r) => r.logits ?? []);
  }

  weightsChanged(): void {
    this.version++;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  /** Each micro-batch's rows are split evenly over the workers; every worker gets a request (maybe empty). */
  private scatter(kind: 'gradients' | 'loss' | 'rows', batches: Batch[]): Promise<Array<WorkerReply & { ok: true }>> {
    return Promise.all(this.workers.map((w, i) => {
      const slices = batches.flatMap((batch) => {
        const [start, end] = splitRows(batch.batchSize, this.workers.length)[i];
        return end > start ? [{ batch, start, end }] : [];
      });
      return w.request({ kind, version: this.version, slices });
    }));
  }
}

function sum(replies: Array<{ lossSum: number; weightSum: number }>): GradientResult {
  let lossSum = 0;
  let weightSum = 0;
  for (const r of replies) {
    lossSum += r.lossSum;
    weightSum += r.weightSum;
  }
  return { lossSum, weightSum };
}
