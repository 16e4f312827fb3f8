// One data-parallel engine worker (see pool.ts): its own backend, a replica over the shared weights,
// gradients written into its shared buffer. Bundled as dist/engineWorker.js.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend } from '../backend/index';
import { createReplica, type Replica } from './replica';
import { paramLayout } from './params';
import { AdamW } from './adamw';
import type { WorkerInit, WorkerReply, WorkerRequest } from './pool';
import type { BackendInfo } from './types';

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  let replica: Replica;
  let grad: Float32Array;
  let info: BackendInfo;
  let params: Float32Array;
  let sharded: { grads: Float32Array[]; grad: Float32Array; adamw: AdamW } | null = null;
  try {
    const loaded = await loadBackend({ force: init.backend, wasmThreads: init.wasmThreads });
    const { tf } = loaded;
    info = loaded.info;
    const layout = paramLayout(init.config);
    grad = new Float32Array(init.grad);
    params = new Float32Array(init.params);
    replica = createReplica(tf, init.config, layout, params);
    const o = init.optimizer;
    if (o) sharded = { grads: o.grads.map((b) => new Float32Array(b)), grad: new Float32Array(o.grad), adamw: new AdamW(layout, { m: new Float32Array(o.m), v: new Float32Array(o.v) }) };
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
    return;
  }
  port.postMessage({ ready: true, info });
  let version = -1;
  port.on('message', (req: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      if (req.version !== version) {
        replica.weightsChanged();
        version = req.version;
      }
      if (req.kind === 'reduce' || req.kind === 'update') {
        if (!sharded) throw new Error(`${req.kind}: this worker was started without a sharded optimizer`);
        const { lo, hi } = req;
        if (req.kind === 'update') {
          sharded.adamw.updateRange(params, sharded.grad, req.opt, req.scale, req.step, lo, hi);
          reply = { id: req.id, ok: true, lossSum: 0, weightSum: 0 };
        } else {
          // Added in worker order and rounded to float32 at each step, as one thread adding the buffers would.
          const out = sharded.grad;
          const [first, ...rest] = sharded.grads;
          const inv = req.inv;
          let sumOfSquares = 0;
          if (rest.length === 1) {
            // The usual two workers, without the inner loop (a third of this pass's time).
            const second = rest[0];
            for (let i = lo; i < hi; i++) {
              const g = Math.fround(Math.fround(first[i] + second[i]) * inv);
              out[i] = g;
              sumOfSquares += g * g;
            }
          } else {
            for (let i = lo; i < hi; i++) {
              out[i] = first[i];
              for (const g of rest) out[i] += g[i];
              out[i] *= inv;
              sumOfSquares += out[i] * out[i];
            }
          }
          reply = { id: req.id, ok: true, lossSum: 0, weightSum: 0, sumOfSquares };
        }
      } else if (req.kind === 'logits') {
        reply = { id: req.id, ok: true, lossSum: 0, weightSum: 0, logits: req.sequences.map((s) => replica.lastLogits(s)) };
      } else if (req.kind === 'rows') {
        const rows = req.slices.map((s) => replica.rowLosses(s));
        const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
        let at = 0;
        for (const r of rows) { out.set(r, at); at += r.length; }
        reply = { id: req.id, ok: true, lossSum: 0, weightSum: 0, rows: out };
      } else {
        if (req.kind === 'gradients') grad.fill(0);
        let lossSum = 0;
        let weightSum = 0;
        for (const s of req.slices) {
          const r = req.kind === 'gradients' ? replica.accumulateGradients(s, grad) : replica.loss(s);
          lossSum += r.lossSum;
          weightSum += r.weightSum;
        }
        reply = { id: req.id, ok: true, lossSum, weightSum };
      }
    } catch (e) {
      reply = { id: req.id, ok: false, error: (e as Error).message };
    }
    port.postMessage(reply);
  });
}

void main();
