// The dataset worker thread (dist/datasetWorker.js): runs the dataset core off the extension host's thread.
// One request at a time, in arrival order; each answer repeats the request's id. No `vscode` here.
import { parentPort } from 'node:worker_threads';
import {
  parseWorkerRequest,
  requestIdOf,
  type WorkerRequest,
  type WorkerResponse,
} from '../../shared/protocol/datasetWorker';
import { handleDatasetRequest } from './datasetJobs';

const port = parentPort;
if (!port) throw new Error('datasetWorker must run as a worker thread');

// Requests are handled strictly one after another so a slow file job cannot interleave with a buffer validation.
let queue: Promise<void> = Promise.resolve();

port.on('message', (raw: unknown) => {
  queue = queue.then(() => answer(raw));
});

async function answer(raw: unknown): Promise<void> {
  let request: WorkerRequest;
  try {
    request = parseWorkerRequest(raw);
  } catch (e) {
    const id = requestIdOf(raw);
    if (id !== undefined) post({ type: 'failed', id, message: (e as Error).message });
    return;
  }
  try {
    post(await handleDatasetRequest(request));
  } catch (e) {
    post({ type: 'failed', id: request.id, message: describeError(e) });
  }
}

function post(message: WorkerResponse): void {
  port!.postMessage(message);
}

/** One line naming the file for I/O errors, never a stack trace. */
function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') {
    const why = err.code === 'ENOENT' ? 'no such file or directory'
      : err.code === 'EISDIR' ? 'is a directory, expected a file'
      : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied'
      : err.code === 'EEXIST' ? 'already exists' : err.message;
    return `${err.path}: ${why}`;
  }
  return err instanceof Error ? err.message : String(e);
}
