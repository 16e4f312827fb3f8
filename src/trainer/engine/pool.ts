// Data-parallel gradients on worker threads: each worker has its own TensorFlow.js backend (wasm
// runs one thread per instance under Node), reads the weights from the shared master copy, and
// writes summed gradients for its rows into its own shared buffer; this thread adds the buffers in a
// fixed order, so a run is deterministic for a given thread count. Measured here: ~1.6× on 2 cores.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch, BackendInfo } from './types';
import { splitRows, type Compute, type GradientResult } from './compute';
import type { ResolvedConfig } from './params';
import type { BackendName } from '../backend/index';

export interface WorkerInit {
  config: ResolvedConfig;
  backend: BackendName;
  params: SharedArrayBuffer;
  grad: SharedArrayBuffer;
}

export type WorkerRequest =
  | { id: number; version: number; kind: 'gradients'; slices: Array<{ batch: Batch; start: number; end: number }> }
  | { id: number; version: number; kind: 'loss'; slices: Array<{ batch: Batch; start: number; end: number }> }
  | { id: number; version: number; kind: 'rows'; slices: Array<{ batch: Batch; start: number; end: number }> }
  | { id: number; version: number; kind: 'logits'; sequences: number[][] };

type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

export type WorkerReply =
  | { id: number; ok: true; lossSum: number; weightSum: number; logits?: Float32Array[]; rows?: Float32Array }
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
      const onMessage = (m: { ready?: true; error?: string }) => {
        worker.off('message', onMessage);
        worker.off('error', reject);
        if (m.error) reject(new Error(`engine worker could not start: ${m.error}`));
        else resolve(w);
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

  private constructor(readonly backend: BackendInfo, private readonly workers: EngineWorker[]) {}

  static async start(info: BackendInfo, config: ResolvedConfig, params: Float32Array, threads: number): Promise<PoolCompute> {
    const backend = info.name as BackendName;
    const started = await Promise.allSettled(Array.from({ length: threads }, () => EngineWorker.start({
      config, backend, params: params.buffer as SharedArrayBuffer, grad: new SharedArrayBuffer(params.length * 4),
    })));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw failed.reason;
    }
    const device = info.device.replace(/1 thread\)$/, `${threads} worker threads, data-parallel)`);
    return new PoolCompute({ ...info, device, threads }, workers);
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
