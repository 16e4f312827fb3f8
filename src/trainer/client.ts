// The parent side of the trainer child, shared by the CLI and the extension host: fork, typed IPC both ways,
// cancel, and survival of a child that dies without a word (SIGKILL, out of memory): the run is then marked failed
// with a message that says what happened and that the last checkpoint is kept.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseChildMessage, type ChildToParent, type ParentToChild, type TrainRequest } from '../shared/protocol/trainer';
import { markRunFailed } from './runFolder';

export interface TrainerProcessOptions {
  /** The child's entry; default dist/trainer.js beside the running bundle. */
  trainerPath?: string;
  /** Node options for the child (tests run the TypeScript entry with `--import tsx`). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

export type RunResult =
  | { status: 'finished' | 'stopped'; step: number; reason: string; bestEvalLoss: number | null }
  | { status: 'failed'; reason: string; code: 'data' | 'usage' | 'failed' };

export interface TrainerRun {
  readonly pid: number | undefined;
  /** Ask the child to checkpoint and stop; `done` resolves with status `stopped`. */
  cancel(): void;
  /** Kill without a checkpoint (a second Ctrl-C). */
  kill(): void;
  readonly done: Promise<RunResult>;
}

const STDERR_TAIL = 4000;

export function startTrainer(request: TrainRequest, onMessage: (m: ChildToParent) => void, opts: TrainerProcessOptions = {}): TrainerRun {
  const child: ChildProcess = fork(opts.trainerPath ?? join(__dirname, 'trainer.js'), [], {
    execArgv: opts.execArgv ?? [],
    // node --test marks its workers with NODE_TEST_CONTEXT; a trainer child inheriting it would act as a test file.
    env: opts.env ?? Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-STDERR_TAIL); });
  // tfjs and friends may print banners on stdout; the parent's output is the protocol, so drain and drop it.
  child.stdout!.resume();

  let outcome: RunResult | null = null;
  const done = new Promise<RunResult>((resolve) => {
    child.on('message', (raw) => {
      let msg: ChildToParent;
      try {
        msg = parseChildMessage(raw);
      } catch (e) {
        onMessage({ type: 'log', level: 'warn', message: `ignored a malformed message from the trainer: ${(e as Error).message}` });
        return;
      }
      if (msg.type === 'done') outcome = { status: msg.status, step: msg.step, reason: msg.reason, bestEvalLoss: msg.bestEvalLoss };
      else if (msg.type === 'error') outcome = { status: 'failed', reason: msg.message, code: msg.code };
      onMessage(msg);
    });
    child.on('error', (e) => {
      if (!outcome) outcome = { status: 'failed', reason: `could not run the trainer process: ${e.message}`, code: 'failed' };
    });
    child.on('exit', (code, signal) => {
      if (!outcome || (outcome.status !== 'failed' && code !== 0)) {
        const reason = describeDeath(code, signal, stderr);
        outcome = { status: 'failed', reason, code: 'failed' };
        try {
          markRunFailed(request.out, reason);
        } catch (e) {
          onMessage({ type: 'log', level: 'warn', message: `could not mark the run failed: ${(e as Error).message}` });
        }
      }
      resolve(outcome);
    });
  });

  const send = (msg: ParentToChild) => {
    if (child.connected) child.send(msg);
  };
  send({ type: 'start', request });
  return {
    pid: child.pid,
    cancel: () => {
      if (child.connected) send({ type: 'cancel' });
      else if (child.exitCode === null) child.kill('SIGTERM');
    },
    kill: () => { child.kill('SIGKILL'); },
    done,
  };
}

export function describeDeath(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  let what: string;
  if (signal === 'SIGKILL') what = 'the trainer process was killed (SIGKILL: out of memory, or killed by the system or a user)';
  else if (signal) what = `the trainer process was terminated by ${signal}`;
  else if (/heap out of memory|Allocation failed/i.test(stderr)) what = 'the trainer process ran out of memory';
  else what = `the trainer process exited with code ${code} without finishing`;
  const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  return `${what}${last ? ` (last output: ${last})` : ''}; the last checkpoint is kept: train again with the same output folder to resume`;
}
