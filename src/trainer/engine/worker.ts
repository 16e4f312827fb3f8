// One data-parallel engine worker (see pool.ts): its own backend, a replica over the shared weights,
// gradients written into its shared buffer. Bundled as dist/engineWorker.js.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend } from '../backend/index';
import { GptReplica } from './model';
import { paramLayout } from './params';
import type { WorkerInit, WorkerReply, WorkerRequest } from './pool';

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  let replica: GptReplica;
  let grad: Float32Array;
  try {
    const { tf } = await loadBackend({ force: init.backend });
    const layout = paramLayout(init.config);
    grad = new Float32Array(init.grad);
    replica = new GptReplica(tf, init.config, layout, new Float32Array(init.params));
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
    return;
  }
  port.postMessage({ ready: true });
  let version = -1;
  port.on('message', (req: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      if (req.version !== version) {
        replica.weightsChanged();
        version = req.version;
      }
      if (req.kind === 'logits') {
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
