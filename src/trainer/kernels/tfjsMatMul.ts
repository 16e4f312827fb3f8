// The products of the forward (x·W + b) and of the input gradients (dy·Wᵀ) as a TensorFlow.js kernel on the wasm
// backend, computed by kernels.c's gemm_nn in TensorFlow.js's own wasm memory: inputs are read where the tensors
// live and the result is written into a tensor the backend allocates, so nothing is copied. ~1.3× XNNPACK's GEMM
// on this model's shapes (a 4×8 register block over a packed copy of both operands). Other backends, and the
// threaded wasm build (whose memory is shared, which the module does not import), keep tf.matMul.
import type { Tensor1D, Tensor2D, TensorInfo } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/index';
import { instantiateKernels, type Exports } from './index';

const KERNEL = 'InstructStudioMatMul';

interface WasmBackend {
  wasm: { asm?: { memory?: WebAssembly.Memory }; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

interface Bound { k: Exports; scratch: number; scratchBytes: number }

/** Per backend instance: the kernels bound to its memory, or null where they cannot be (a shared memory). */
const bound = new WeakMap<object, Bound | null>();
let registered = false;

function bind(backend: WasmBackend): Bound | null {
  if (bound.has(backend)) return bound.get(backend)!;
  let b: Bound | null = null;
  const memory = backend.wasm.asm?.memory;
  if (memory instanceof WebAssembly.Memory && !(memory.buffer instanceof SharedArrayBuffer)) {
    b = { k: instantiateKernels(memory), scratch: 0, scratchBytes: 0 };
  }
  bound.set(backend, b);
  return b;
}

function offset(backend: WasmBackend, t: TensorInfo): number {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error(`${KERNEL}: a tensor has no data on this backend`);
  return d.memoryOffset;
}

function register(tf: Tf): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const be = backend as unknown as WasmBackend;
      const b = bind(be)!;
      const { a, b: w, bias } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo };
      const [M, K] = a.shape;
      const N = w.shape[1];
      const need = (M * K + K * 8) * 4;
      if (need > b.scratchBytes) {
        // Grown, never shrunk, like the backend's heap; allocating may move the heap, so offsets are read after.
        if (b.scratch) be.wasm._free(b.scratch);
        b.scratch = be.wasm._malloc(need);
        b.scratchBytes = need;
      }
      const out = be.makeOutput([M, N], 'float32');
      b.k.gemm_nn(M, N, K, offset(be, a), K, offset(be, w), N, offset(be, out), N, bias ? offset(be, bias) : 0, b.scratch);
      return out;
    },
  });
}

/** Whether products run in our kernel on the current backend. */
export function kernelMatMulActive(tf: Tf): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  return bind(tf.backend() as unknown as WasmBackend) !== null;
}

/** a [M, K] · b [K, N] (+ bias [N]). */
export function matMul(tf: Tf, a: Tensor2D, b: Tensor2D, bias?: Tensor1D): Tensor2D {
  if (a.shape[1] !== b.shape[0] || (bias && bias.shape[0] !== b.shape[1])) {
    throw new Error(`matMul: shapes [${a.shape}]·[${b.shape}]${bias ? ` + [${bias.shape}]` : ''} do not match`);
  }
  if (!kernelMatMulActive(tf)) return (bias ? tf.fused.matMul({ a, b, bias }) : tf.matMul(a, b)) as Tensor2D;
  register(tf);
  return tf.engine().runKernel(KERNEL, bias ? { a, b, bias } : { a, b }, {}) as Tensor2D;
}
