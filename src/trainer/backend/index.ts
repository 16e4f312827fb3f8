// Chooses the TensorFlow.js backend once per process and says honestly what runs.
//
// Order: @tensorflow/tfjs-node-gpu → @tensorflow/tfjs-node → wasm (@tensorflow/tfjs-backend-wasm) → cpu (pure JS).
// The native packages are optionalDependencies that usually cannot install (their install script downloads
// libtensorflow), so `require` of them throws MODULE_NOT_FOUND and we fall through. An "install GPU support"
// command may `npm install` them into a separate folder; set INSTRUCT_STUDIO_NATIVE_MODULES to that folder's
// node_modules (or the folder holding it) and it is searched first.
//
// Environment (for the training loop and the CLI):
//   INSTRUCT_STUDIO_BACKEND=tensorflow-gpu|tensorflow|wasm|cpu  forces one backend; if it cannot load, that is an
//                                                               error, not a silent fallback.
//   INSTRUCT_STUDIO_NATIVE_MODULES=DIR                          extra place to look for tfjs-node(-gpu).
//
// The native packages bundle their own copy of tfjs-core, so callers must use the `tf` returned here, never a
// separately imported '@tensorflow/tfjs-core' (it would be a different engine with no backend registered).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tfCore from '@tensorflow/tfjs-core';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
// Registers the pure-JS 'cpu' backend (the last resort). A namespace import that is used below: a bare
// import is dropped by bundlers because the package declares itself side-effect free.
import * as cpuBackend from '@tensorflow/tfjs-backend-cpu';
import type { BackendInfo } from '../engine/types';
import { startThreadedWasm } from './wasmThreads';
import { kernelVariant } from '../kernels/index';

export type Tf = typeof import('@tensorflow/tfjs-core');
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface LoadedBackend {
  tf: Tf;
  info: BackendInfo;
}

let chosen: Promise<LoadedBackend> | null = null;

export interface LoadOptions {
  force?: BackendName;
  /**
   * Threads for WebAssembly's own kernel thread pool (XNNPACK: matMul and a few others), default 1. The
   * threaded build is started with the workarounds in wasmThreads.ts; when it cannot start, the
   * single-threaded build runs and the reason says why.
   */
  wasmThreads?: number;
}

/** The process-wide backend: the first call decides, later calls get the same one. */
export function loadBackend(options: LoadOptions = {}): Promise<LoadedBackend> {
  chosen ??= chooseBackend(options.force ?? parseForced(process.env.INSTRUCT_STUDIO_BACKEND), Math.max(1, Math.floor(options.wasmThreads ?? 1)));
  return chosen;
}

export function parseForced(value: string | undefined): BackendName | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  const aliases: Record<string, BackendName> = {
    'tensorflow-gpu': 'tensorflow-gpu', 'tfjs-node-gpu': 'tensorflow-gpu', gpu: 'tensorflow-gpu', cuda: 'tensorflow-gpu',
    tensorflow: 'tensorflow', 'tfjs-node': 'tensorflow', node: 'tensorflow', native: 'tensorflow',
    wasm: 'wasm', cpu: 'cpu', js: 'cpu',
  };
  const name = aliases[v];
  if (!name) throw new Error(`INSTRUCT_STUDIO_BACKEND="${value}" is not one of ${BACKEND_ORDER.join(', ')}`);
  return name;
}

async function chooseBackend(force: BackendName | undefined, wasmThreads: number): Promise<LoadedBackend> {
  const tried: string[] = [];
  const order = force ? [force] : BACKEND_ORDER;
  for (const name of order) {
    try {
      const loaded = await tryBackend(name, wasmThreads);
      const why = force ? `forced by INSTRUCT_STUDIO_BACKEND` : tried.length ? `tried ${tried.join('; ')}` : 'first choice';
      loaded.info.reason = loaded.info.reason ? `${loaded.info.reason}; ${why}` : why;
      return loaded;
    } catch (e) {
      tried.push(`${name}: ${describeFailure(e)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${tried.join('; ')})`);
}

async function tryBackend(name: BackendName, wasmThreads: number): Promise<LoadedBackend> {
  switch (name) {
    case 'tensorflow-gpu': return loadNative('@tensorflow/tfjs-node-gpu', name);
    case 'tensorflow': return loadNative('@tensorflow/tfjs-node', name);
    case 'wasm': return loadWasm(wasmThreads);
    case 'cpu': return loadCpu();
  }
}

function describeFailure(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'MODULE_NOT_FOUND') return 'not installed';
  const msg = String(err?.message ?? e).split('\n')[0];
  return msg.length > 200 ? msg.slice(0, 200) + '…' : msg;
}

/** Where to look for an optional native package: the extension's own node_modules, then the user's install folder. */
export function nativeSearchPaths(env = process.env): string[] {
  const paths: string[] = [];
  const extra = env.INSTRUCT_STUDIO_NATIVE_MODULES;
  if (extra) {
    paths.push(extra);
    if (!extra.endsWith('node_modules')) paths.push(join(extra, 'node_modules'));
  }
  return paths;
}

function requireOptional(pkg: string): unknown {
  // The user's install folder wins: it is where "install GPU support" puts a working build.
  for (const base of nativeSearchPaths()) {
    if (!existsSync(join(base, ...pkg.split('/')))) continue;
    const resolved = require.resolve(pkg, { paths: [base] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional package found at run time
    return require(resolved);
  }
  // A computed name keeps esbuild from trying to bundle it (it is external anyway).
  const name: string = pkg;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional: MODULE_NOT_FOUND is the usual answer
  return require(name);
}

async function loadNative(pkg: string, name: BackendName): Promise<LoadedBackend> {
  const tf = requireOptional(pkg) as Tf;
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not initialise`);
  await tf.ready();
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean; isGPUPackage?: boolean };
  const threads = 0; // libtensorflow picks its own intra-op thread count
  if (name === 'tensorflow-gpu') {
    if (!backend.isUsingGpuDevice) {
      // tfjs-node-gpu 4.x needs exactly CUDA 11.2 + cuDNN 8.1; with anything else it quietly runs on the CPU.
      return {
        tf,
        info: {
          name, device: 'CPU (tfjs-node-gpu found no usable GPU)', threads,
          reason: 'tfjs-node-gpu loaded but TensorFlow sees no GPU: it needs CUDA 11.2 and cuDNN 8.1 exactly; running on the CPU through libtensorflow',
        },
      };
    }
    return { tf, info: { name, device: 'CUDA GPU', threads, reason: '' } };
  }
  return { tf, info: { name, device: 'CPU (libtensorflow)', threads, reason: '' } };
}

/** The .wasm binaries sit beside the bundle (dist/) or in the package when running from source. */
export function wasmDirectory(): string {
  const candidates = [__dirname, join(__dirname, '..'), join(__dirname, '..', '..')];
  for (const c of candidates) if (existsSync(join(c, 'tfjs-backend-wasm.wasm'))) return c;
  // A computed name: resolved at run time from node_modules, not by the bundler.
  const pkg: string = '@tensorflow/tfjs-backend-wasm/package.json';
  const pkgJson = require.resolve(pkg);
  return join(dirname(pkgJson), 'dist');
}

async function loadWasm(wasmThreads: number): Promise<LoadedBackend> {
  const tf = tfCore;
  const dir = wasmDirectory();
  wasmBackend.setWasmPaths(dir + '/');
  let threads = 1;
  let reason = '';
  let started = false;
  if (wasmThreads > 1) {
    try {
      threads = await startThreadedWasm(tf, wasmBackend, dir, wasmThreads);
      started = true;
    } catch (e) {
      reason = `threaded WebAssembly did not start (${describeFailure(e)}), 1 thread`;
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
  }
  // setBackend reports failure by returning false (e.g. a missing .wasm), not by throwing.
  if (!started && !(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise (missing .wasm binaries?)');
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  // Our own kernels (attention, the products) run beside TF.js's: say which build, FMA or not.
  const kernels = kernelVariant() === 'relaxed' ? 'FMA kernels' : 'SIMD kernels';
  const device = `CPU (WebAssembly${simd ? ' SIMD' : ''}, ${kernels}, ${threads} thread${threads > 1 ? 's' : ''})`;
  return { tf, info: { name: 'wasm', device, threads, reason } };
}

async function loadCpu(): Promise<LoadedBackend> {
  const tf = tfCore;
  if (!tf.findBackendFactory('cpu')) tf.registerBackend('cpu', () => new cpuBackend.MathBackendCPU(), 1);
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  return { tf, info: { name: 'cpu', device: 'CPU (plain JavaScript, 1 thread)', threads: 1, reason: '' } };
}
