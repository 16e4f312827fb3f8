// Talks to one dataset worker thread: requests get ids, answers are validated and matched back. The thread is
// started lazily and restarted after a crash; `cancelAll` terminates it, since a synchronous validation cannot be
// interrupted any other way.
import { Worker } from 'node:worker_threads';
import {
  parseWorkerResponse,
  requestIdOf,
  transferablesOf,
  type WorkerRequest,
  type WorkerResultOf,
} from '../../shared/protocol/datasetWorker';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<WorkerRequest, 'id'>;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  expects: string;
}

export interface WorkerLog {
  info(message: string): void;
  error(message: string): void;
}

export class WorkerCancelledError extends Error {}

export class DatasetWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(
    private readonly scriptPath: string,
    private readonly name: string,
    private readonly log: WorkerLog,
  ) {}

  request<T extends RequestBody>(body: T): Promise<WorkerResultOf[T['type']]> {
    if (this.disposed) return Promise.reject(new WorkerCancelledError('the dataset worker was shut down'));
    const id = this.nextId++;
    const message = { ...body, id } as WorkerRequest;
    const expects = body.type === 'validateText' || body.type === 'validateFile' ? 'validated'
      : body.type === 'stats' ? 'stats' : 'written';
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, expects });
      try {
        const transfer = 'content' in body ? transferablesOf(body.content) : [];
        this.ensureWorker().postMessage(message, transfer);
      } catch (e) {
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Rejects every request in flight and stops the thread; the next request starts a fresh one. */
  cancelAll(reason: string): void {
    const w = this.worker;
    this.worker = undefined;
    this.rejectAll(new WorkerCancelledError(reason));
    void w?.terminate();
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelAll('the extension is shutting down');
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.scriptPath, { name: this.name });
    // Do not keep the extension host (or a test process) alive just for an idle worker.
    w.unref();
    w.on('message', (raw: unknown) => this.onMessage(raw));
    w.on('error', (e) => {
      this.log.error(`${this.name} failed: ${e.message}`);
      if (this.worker === w) this.worker = undefined;
      this.rejectAll(new Error(`the dataset worker failed: ${e.message}`));
    });
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      if (this.pending.size) {
        this.log.error(`${this.name} exited with code ${code} while busy`);
        this.rejectAll(new Error(`the dataset worker stopped unexpectedly (exit code ${code})`));
      }
    });
    this.worker = w;
    this.log.info(`started ${this.name}`);
    return w;
  }

  private onMessage(raw: unknown): void {
    let msg;
    try {
      msg = parseWorkerResponse(raw);
    } catch (e) {
      const id = requestIdOf(raw);
      const p = id === undefined ? undefined : this.pending.get(id);
      this.log.error((e as Error).message);
      if (p && id !== undefined) {
        this.pending.delete(id);
        p.reject(e as Error);
      }
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return; // answer to a request that was cancelled meanwhile
    this.pending.delete(msg.id);
    if (msg.type === 'failed') p.reject(new Error(msg.message));
    else if (msg.type !== p.expects) p.reject(new Error(`the dataset worker answered "${msg.type}" to a request expecting "${p.expects}"`));
    else p.resolve(msg);
  }

  private rejectAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}
