// Multi-threaded WebAssembly (XNNPACK's thread pool) under Node, with no edit of the package.
//
// @tensorflow/tfjs-backend-wasm ships a threaded SIMD build but turns it off under Node, and forcing it on
// fails in two places (setBackend then returns false; it does not throw):
//  1. Emscripten starts each pthread from a `blob:` URL holding its worker script; Node's Worker only takes
//     a file path (ERR_WORKER_PATH). We capture the Blob's text while the backend starts and write it to a
//     temp .js file instead.
//  2. That worker loads the main script (the Emscripten factory) from another Blob, with `importScripts`,
//     which Node's shim implements with readFileSync. The temp worker file answers URL.createObjectURL with
//     the path of the factory as the package ships it (wasm-out/…threaded-simd.js, copied beside the bundle).
// The thread count is set explicitly (the package would cap it at half the logical cores: 1 here).
// Emscripten pre-starts 8 pthread workers; the ones the pool does not use are terminated (each is a V8
// isolate: RSS), and the used ones are unref'ed so they never keep the process alive.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type * as WasmBackend from '@tensorflow/tfjs-backend-wasm';
import type { Tf } from './index';

const FACTORY = 'tfjs-backend-wasm-threaded-simd.js';

/** The Emscripten factory of the threaded build: beside the bundle (dist/) or in the package's wasm-out/. */
export function threadedFactoryPath(wasmDir: string): string | null {
  const candidates = [join(wasmDir, FACTORY), join(wasmDir, '..', 'wasm-out', FACTORY)];
  try {
    const pkg: string = '@tensorflow/tfjs-backend-wasm/package.json';
    candidates.push(join(dirname(require.resolve(pkg)), 'wasm-out', FACTORY));
  } catch {
    // bundled without node_modules: only the copies beside the bundle count
  }
  return candidates.find((c) => existsSync(c)) ?? null;
}

interface PThreadWorker { terminate(): unknown; unref(): void }
interface EmscriptenModule { PThread?: { unusedWorkers: PThreadWorker[]; runningWorkers: PThreadWorker[] } }

/**
 * Starts the wasm backend with `threads` XNNPACK threads. Returns the thread count it really runs with;
 * throws (with the reason) when the threaded build cannot start, before any backend is set, so the
 * caller can fall back to the single-threaded build.
 */
export async function startThreadedWasm(tf: Tf, wasm: typeof WasmBackend, wasmDir: string, threads: number): Promise<number> {
  const factory = threadedFactoryPath(wasmDir);
  if (!factory) throw new Error(`${FACTORY} not found beside ${wasmDir}`);
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is not available');
  const dir = mkdtempSync(join(os.tmpdir(), 'instruct-studio-wasm-'));
  // Removed at exit, not now: Emscripten may start more pthreads later from the same file.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const texts = new WeakMap<Blob, string>();
  const OriginalBlob = globalThis.Blob;
  const originalCreate = URL.createObjectURL;
  let written = 0;
  class CapturingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === 'string')) texts.set(this, parts.join(''));
    }
  }
  globalThis.Blob = CapturingBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => {
    const text = texts.get(obj);
    if (text === undefined) return originalCreate(obj);
    const file = join(dir, `pthread-${written++}.js`);
    // The worker asks for its main script as a Blob URL too: hand it the factory's path.
    writeFileSync(file, `URL.createObjectURL = () => ${JSON.stringify(factory)}; URL.revokeObjectURL = () => {};\n${text}`);
    return file;
  };
  // The build caps its pool at half of what it reads as the core count: show it twice the threads wanted.
  const originalCpus = os.cpus;
  const cpus = originalCpus();
  (os as { cpus: typeof os.cpus }).cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm build did not initialise');
  } finally {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreate;
    (os as { cpus: typeof os.cpus }).cpus = originalCpus;
  }
  const module = (tf.backend() as unknown as { wasm: EmscriptenModule }).wasm;
  const pool = module.PThread;
  if (pool) {
    for (const w of pool.unusedWorkers.splice(0)) void w.terminate();
    for (const w of pool.runningWorkers) w.unref();
  }
  return wasm.getThreadsCount();
}
