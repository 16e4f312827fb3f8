// The trainer child process (dist/trainer.js), forked by the extension host and the CLI: waits for `start`, trains,
// reports over IPC. A `cancel` message, SIGTERM, SIGINT or the parent going away → checkpoint and exit as `stopped`.
import { defaultRenderer, TemplateError, TemplateRefError } from '../core/template';
import { parseParentMessage, type ChildToParent, type TrainRequest } from '../shared/protocol/trainer';
import { createEngine } from './engine';
import { train, RunFolderError } from './train';
import { ConfigError } from './config';
import { DataError } from './prepare';
import { CheckpointError } from './checkpoint';
import { ModelDirError } from './modelDir';
import { LoraError } from './engine/lora';

let cancelled = false;
let started = false;

function send(msg: ChildToParent): void {
  if (process.connected) process.send!(msg);
}

function finish(code: number, last: ChildToParent): void {
  // Exit only once the last message is flushed; exit explicitly because wasm worker threads keep the loop alive.
  if (process.connected) process.send!(last, () => process.exit(code));
  else process.exit(code);
}

async function run(request: TrainRequest): Promise<void> {
  try {
    const outcome = await train(request, {
      emit: send,
      stopRequested: () => cancelled,
      createEngine: (o) => createEngine(o),
      // used when the request names no template (and the checkpoint or base model saved none)
      renderer: defaultRenderer(),
    });
    finish(0, { type: 'done', status: outcome.status, step: outcome.step, outDir: request.out, bestEvalLoss: outcome.bestEvalLoss, reason: outcome.reason });
  } catch (e) {
    const err = e as Error;
    if (process.env.INSTRUCT_STUDIO_DEBUG) process.stderr.write(String(err?.stack ?? e) + '\n');
    const code = e instanceof DataError ? 'data' : e instanceof RunFolderError || e instanceof TemplateRefError || e instanceof TemplateError || e instanceof ConfigError || e instanceof ModelDirError || e instanceof CheckpointError || e instanceof LoraError ? 'usage' : 'failed';
    finish(1, { type: 'error', message: err?.message ?? String(e), code });
  }
}

if (!process.send) {
  process.stderr.write('dist/trainer.js is the training child process: start it through `instruct-studio train` or the extension\n');
  process.exit(2);
}

process.on('message', (raw) => {
  let msg;
  try {
    msg = parseParentMessage(raw);
  } catch (e) {
    send({ type: 'log', level: 'warn', message: `ignored a malformed message: ${(e as Error).message}` });
    return;
  }
  if (msg.type === 'cancel') cancelled = true;
  else if (msg.type === 'start') {
    if (started) send({ type: 'log', level: 'warn', message: 'ignored a second "start": this process trains one run' });
    else {
      started = true;
      void run(msg.request);
    }
  }
});

const stop = () => {
  if (!started) process.exit(0);
  cancelled = true;
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Without a parent nobody reads the progress: save and stop rather than train on unobserved.
process.on('disconnect', stop);
