// Two responses to one record from a saved model, for "build preference pairs from the model". Each response is a
// `dist/cli.js generate --record … --json` child process: the model never loads in the caller (the extension host),
// the record is rendered by the same template training used, and aborting kills the children.
import { spawn } from 'node:child_process';

export interface SamplingSettings {
  temperature: number;
  seed: number;
  topP: number;
}

/**
 * A is the more conservative sample (temperature 0.7, top-p 0.9), B the freer one (temperature 1.0, full
 * distribution, the next seed): two different draws, so the person compares two plausible answers, not one twice.
 */
export function pairSettings(seed: number): { a: SamplingSettings; b: SamplingSettings } {
  return { a: { temperature: 0.7, seed, topP: 0.9 }, b: { temperature: 1.0, seed: seed + 1, topP: 1 } };
}

export interface SamplePairOptions {
  /** Path of the extension's dist/cli.js. */
  cli: string;
  /** A model, checkpoint or run folder (the CLI resolves a run to its best/ or checkpoint/). */
  model: string;
  /** The dataset record; its prompt part is what gets answered. */
  record: Record<string, unknown>;
  seed: number;
  maxNewTokens?: number;
  signal?: AbortSignal;
  /** The Node binary: in VS Code that is Electron, run as Node through ELECTRON_RUN_AS_NODE. */
  execPath?: string;
  /** Node options before the script (tests run the CLI from source with `--import tsx`). */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Called with each child's pid as it starts (tests check the children are gone after an abort). */
  onSpawn?: (pid: number) => void;
}

export interface SampledPair {
  a: string;
  b: string;
  provenance: { model: string; a: SamplingSettings; b: SamplingSettings; max_new_tokens: number };
}

export class PairSamplingError extends Error {}
export class PairSamplingCancelled extends Error {
  constructor() {
    super('sampling was cancelled');
  }
}

export async function samplePair(o: SamplePairOptions): Promise<SampledPair> {
  const settings = pairSettings(o.seed);
  const maxNewTokens = o.maxNewTokens ?? 64;
  // Both children at once: each loads the (small) model itself, and waiting on one then the other doubles latency.
  // One failing (or the caller aborting) stops the other, and this returns only once both have exited.
  const both = new AbortController();
  const forward = () => both.abort();
  o.signal?.addEventListener('abort', forward, { once: true });
  if (o.signal?.aborted) both.abort();
  const run = (s: SamplingSettings) => sampleOne({ ...o, signal: both.signal }, s, maxNewTokens).catch((e: unknown) => { both.abort(); throw e; });
  const [a, b] = await Promise.allSettled([run(settings.a), run(settings.b)]);
  o.signal?.removeEventListener('abort', forward);
  if (o.signal?.aborted) throw new PairSamplingCancelled();
  if (a.status === 'rejected' || b.status === 'rejected') {
    const failures = [a, b].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
    throw failures.find((e) => !(e instanceof PairSamplingCancelled)) ?? failures[0];
  }
  return { a: a.value, b: b.value, provenance: { model: o.model, a: settings.a, b: settings.b, max_new_tokens: maxNewTokens } };
}

function sampleOne(o: SamplePairOptions, s: SamplingSettings, maxNewTokens: number): Promise<string> {
  if (o.signal?.aborted) return Promise.reject(new PairSamplingCancelled());
  const args = [
    ...(o.nodeArgs ?? []), o.cli, 'generate', '--model', o.model, '--record', JSON.stringify(o.record), '--json',
    '--temperature', String(s.temperature), '--top-p', String(s.topP), '--seed', String(s.seed), '--max-new-tokens', String(maxNewTokens),
  ];
  return new Promise<string>((resolve, reject) => {
    const child = spawn(o.execPath ?? process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: '1', INSTRUCT_STUDIO_BACKEND: (o.env ?? process.env).INSTRUCT_STUDIO_BACKEND ?? 'wasm' },
    });
    if (child.pid !== undefined) o.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGTERM');
      // wasm worker threads can keep a child alive past SIGTERM handlers; make sure it goes.
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
    child.on('error', (e) => {
      o.signal?.removeEventListener('abort', onAbort);
      reject(new PairSamplingError(`could not start ${o.cli}: ${e.message}`));
    });
    child.on('close', (code) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (o.signal?.aborted) { reject(new PairSamplingCancelled()); return; }
      if (code !== 0) { reject(new PairSamplingError(childError(stderr, code))); return; }
      try {
        const out = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { output?: unknown };
        if (typeof out.output !== 'string') throw new Error('no "output" field');
        resolve(out.output);
      } catch (e) {
        reject(new PairSamplingError(`the generate child printed no JSON result (${(e as Error).message}): ${stdout.slice(0, 200)}`));
      }
    });
  });
}

/** The CLI's own message (it names the folder or file at fault), without its "instruct-studio generate:" prefix. */
function childError(stderr: string, code: number | null): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^\s*at /.test(l));
  const msg = lines.filter((l) => !l.startsWith('usage:')).slice(-3).join(' ').replace(/instruct-studio generate: /g, '');
  return msg || `the generate child exited with code ${code}`;
}
