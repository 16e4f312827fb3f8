// createEngine: the training loop's only entry into the model. Weights and Adam moments live here in
// plain Float32Arrays (the master copy, shared with the workers); a Compute (this thread, or data-parallel
// workers) turns batches into summed gradients; AdamW runs in JS on the averaged, clipped gradient, in the
// workers (each its slice) for full fine-tuning on a pool, else in this thread.
import { availableParallelism } from 'node:os';
import type { AdapterState, Batch, Engine, EngineState, GenerationOptions, GenerationSession, ModelConfig, NamedArrays, OptimizerSettings, StepResult, BackendInfo, TrainStepOptions } from './types';
import { initParams, paramLayout, resolveModelConfig, toNamed, fromNamed, type ParamLayout, type ResolvedModelConfig } from './params';
import { AdamW, clipFactor, clipOfSquares, validateSettings } from './adamw';
import { validateBatch, type Compute } from './compute';
import { LocalCompute } from './local';
import { PoolCompute } from './pool';
import { createReplica, type Replica } from './replica';
import { CachedGeneration } from './generation';
import { LoraAdapters, checkAdapterArrays, type LoraOptions } from './lora';
import { loadBackend, type BackendName, type Tf } from '../backend/index';

export interface CreateEngineOptions {
  /** The architecture (GPT-2 or Llama family) picks the model the replicas run. */
  config: ModelConfig;
  /** Seeds the weight init (ignored when `params` is given). Same seed → same weights on every backend. */
  seed: number;
  /** Start from these weights (e.g. a checkpoint) instead of a fresh init. */
  params?: NamedArrays;
  /**
   * Data-parallel worker threads for the wasm and cpu backends (each its own backend, gradients summed
   * in shared memory). Default: one per core, at most 2. 1 computes in this thread. Native tfjs-node
   * backends are multi-threaded already and always compute in this thread.
   */
  threads?: number;
  /**
   * WebAssembly kernel threads per compute thread (XNNPACK's pool inside one backend). Default: chosen
   * with `threads` by computePlan for the model's size.
   */
  wasmThreads?: number;
  /** Force a backend for this process (as INSTRUCT_STUDIO_BACKEND); the first engine of a process decides. */
  backend?: BackendName;
  /** Train LoRA adapters on these modules instead of all weights (which stay frozen, with no optimizer state). */
  lora?: LoraOptions;
}

export async function createEngine(options: CreateEngineOptions): Promise<Engine> {
  const config = resolveModelConfig(options.config);
  const layout = paramLayout(config);
  const params = sharedFloats(layout.total);
  if (options.params) fromNamed(layout, options.params, params);
  else initParams(layout, options.seed, params);
  const lora = options.lora ? LoraAdapters.create(options.config, layout, params, options.lora, options.seed) : null;
  lora?.apply(params);
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(2, availableParallelism())));
  const wasmThreads = Math.max(1, Math.floor(options.wasmThreads ?? 1));
  const loaded = await loadBackend({ force: options.backend, wasmThreads: threads === 1 ? wasmThreads : 1 });
  const pool = threads > 1 && (loaded.info.name === 'wasm' || loaded.info.name === 'cpu');
  // Full fine-tuning on workers: they also average the gradients and run AdamW, each on a slice of the
  // parameters, so no thread waits while one does it all (~12% of a step on the standard config). LoRA's few
  // adapter parameters are updated here.
  const shared = pool && !lora ? { grad: sharedFloats(layout.total), m: sharedFloats(layout.total), v: sharedFloats(layout.total) } : undefined;
  const compute: Compute = pool
    ? await PoolCompute.start(loaded.info, config, params, threads, wasmThreads, shared)
    : new LocalCompute(loaded, config, layout, params);
  return new ModelEngine(options.config, config, layout, params, compute, loaded.tf, lora, shared);
}

/** Parameter count of a config without building an engine. */
export function countParameters(config: ModelConfig): number {
  return paramLayout(resolveModelConfig(config)).total;
}

/** A SharedArrayBuffer-backed array, so worker threads read the same weights without copies. */
function sharedFloats(n: number): Float32Array<ArrayBuffer> {
  // Typed as ArrayBuffer-backed: every API here reads it the same way.
  return new Float32Array(new SharedArrayBuffer(n * 4)) as unknown as Float32Array<ArrayBuffer>;
}

class ModelEngine implements Engine {
  readonly backend: BackendInfo;
  readonly parameterCount: number;
  readonly trainableParameterCount: number;
  private optimizer: AdamW;
  private readonly grad: Float32Array;
  private busy = false;
  private disposed = false;
  /**
   * Generation runs in this thread: on the local compute's replica, or on its own one when gradients come from
   * worker threads (which only split rows for gradients).
   */
  private generator: Replica | null = null;
  /** Bumped whenever the weights change, so an open generation session's cache is known to be stale. */
  private weightsVersion = 0;

  constructor(
    readonly config: ModelConfig,
    private readonly resolved: ResolvedModelConfig,
    private readonly layout: ParamLayout,
    private readonly params: Float32Array,
    private readonly compute: Compute,
    private readonly tf: Tf,
    private readonly lora: LoraAdapters | null = null,
    shared?: { grad: Float32Array; m: Float32Array; v: Float32Array },
  ) {
    this.backend = compute.backend;
    this.parameterCount = layout.total;
    this.trainableParameterCount = lora ? lora.parameterCount : layout.total;
    this.optimizer = new AdamW(lora ? lora.layout : layout, shared);
    this.grad = shared?.grad ?? new Float32Array(layout.total);
  }

  async trainStep(microBatches: Batch[], opt: OptimizerSettings, options: TrainStepOptions = {}): Promise<StepResult> {
    return this.exclusive(async () => {
      validateSettings(opt);
      const { normalizer } = options;
      if (normalizer !== undefined && !(Number.isFinite(normalizer) && normalizer > 0)) throw new Error(`trainStep normalizer must be a positive number, got ${normalizer}`);
      if (microBatches.length === 0) throw new Error('trainStep needs at least one micro-batch');
      if (this.lora && !this.lora.enabled) throw new Error('the LoRA adapters are disabled: enable them before training');
      for (const b of microBatches) validateBatch(b);
      const tokens = microBatches.reduce((n, b) => n + b.batchSize * b.seqLen, 0);
      const sharded = this.lora ? undefined : this.compute.sharded;
      if (sharded) {
        const { lossSum, weightSum } = await sharded.gradientsInWorkers(microBatches);
        if (weightSum === 0 && normalizer === undefined) return { loss: 0, gradNorm: 0, trainedTokens: 0, tokens };
        const divisor = normalizer ?? weightSum;
        const { norm, scale } = clipOfSquares(await sharded.reduce(1 / divisor), opt.clipNorm);
        if (!Number.isFinite(norm)) throw new Error(`gradient norm is ${norm}: the loss diverged (lower the learning rate?)`);
        this.optimizer.step++;
        await sharded.update(opt, scale, this.optimizer.step);
        this.weightsChanged();
        return { loss: lossSum / divisor, gradNorm: norm, trainedTokens: weightSum, tokens };
      }
      const grad = this.grad;
      grad.fill(0);
      const { lossSum, weightSum } = await this.compute.gradients(microBatches, grad);
      // Nothing to learn from (every token masked): no update, no optimizer step.
      if (weightSum === 0 && normalizer === undefined) return { loss: 0, gradNorm: 0, trainedTokens: 0, tokens };
      const divisor = normalizer ?? weightSum;
      const inv = 1 / divisor;
      for (let i = 0; i < grad.length; i++) grad[i] *= inv;
      // Under LoRA the replicas' gradient is dL/dW_eff of every weight; only the adapters' part is trained.
      const trainable = this.lora ? this.lora.gradients(grad) : grad;
      const { norm, scale } = clipFactor(trainable, opt.clipNorm);
      if (!Number.isFinite(norm)) throw new Error(`gradient norm is ${norm}: the loss diverged (lower the learning rate?)`);
      this.optimizer.update(this.lora ? this.lora.values : this.params, trainable, opt, scale);
      this.lora?.apply(this.params);
      this.weightsChanged();
      return { loss: lossSum / divisor, gradNorm: norm, trainedTokens: weightSum, tokens };
    });
  }

  async evalLoss(batch: Batch): Promise<{ lossSum: number; tokens: number }> {
    return this.exclusive(async () => {
      validateBatch(batch);
      const r = await this.compute.loss(batch);
      return { lossSum: r.lossSum, tokens: r.weightSum };
    });
  }

  async rowLosses(batch: Batch): Promise<Float32Array> {
    return this.exclusive(async () => {
      validateBatch(batch);
      return this.compute.rowLosses(batch);
    });
  }

  async nextTokenLogits(sequences: number[][]): Promise<Float32Array[]> {
    return this.exclusive(async () => {
      const T = this.resolved.contextLength;
      const clipped = sequences.map((s, i) => {
        if (s.length === 0) throw new Error(`sequence ${i} is empty: generation needs at least one token (e.g. BOS)`);
        return s.length > T ? s.slice(s.length - T) : s;
      });
      return this.compute.lastLogits(clipped);
    });
  }

  async startGeneration(prompts: number[][], options: GenerationOptions = {}): Promise<GenerationSession> {
    if (this.disposed) throw new Error('the engine was disposed');
    const T = this.resolved.contextLength;
    const window = options.window ?? T;
    if (!(Number.isInteger(window) && window > 0)) throw new Error(`generation window must be a positive integer, got ${window}`);
    const version = this.weightsVersion;
    // Each step is an engine call: exclusive, and refused once a trainStep/setState changed the weights.
    const guard = <R>(f: () => R) => this.exclusive(async () => {
      if (this.weightsVersion !== version) throw new Error('the weights changed since this generation session started: start a new one');
      return f();
    });
    this.generator ??= this.compute.replica ?? createReplica(this.tf, this.resolved, this.layout, this.params);
    return CachedGeneration.start(this.generator, prompts, Math.min(window, T), guard);
  }

  async getState(): Promise<EngineState> {
    return this.exclusive(async () => ({
      params: toNamed(this.layout, this.params),
      optimizer: this.optimizer.step === 0 || this.lora ? null : {
        step: this.optimizer.step,
        m: toNamed(this.layout, this.optimizer.m),
        v: toNamed(this.layout, this.optimizer.v),
      },
    }));
  }

  async setState(state: EngineState): Promise<void> {
    return this.exclusive(async () => {
      if (this.lora) throw new Error('this engine trains LoRA adapters on fixed base weights: restore them with setAdapterState');
      // Validate everything before touching the live weights, so a bad state leaves the engine as it was.
      const params = new Float32Array(this.layout.total);
      fromNamed(this.layout, state.params, params);
      const optimizer = new AdamW(this.layout);
      if (state.optimizer) {
        if (!(Number.isInteger(state.optimizer.step) && state.optimizer.step >= 0)) throw new Error(`optimizer step must be an integer ≥ 0, got ${state.optimizer.step}`);
        fromNamed(this.layout, state.optimizer.m, optimizer.m, 'optimizer moment m');
        fromNamed(this.layout, state.optimizer.v, optimizer.v, 'optimizer moment v');
        optimizer.step = state.optimizer.step;
      }
      this.params.set(params);
      // Into the live moments: workers may hold them (a sharded optimizer).
      this.optimizer.m.set(optimizer.m);
      this.optimizer.v.set(optimizer.v);
      this.optimizer.step = optimizer.step;
      this.weightsChanged();
    });
  }

  async getAdapterState(): Promise<AdapterState | null> {
    return this.exclusive(async () => {
      const lora = this.lora;
      if (!lora) return null;
      return {
        weights: lora.toNamed(),
        optimizer: this.optimizer.step === 0 ? null : { step: this.optimizer.step, m: lora.toNamed(this.optimizer.m), v: lora.toNamed(this.optimizer.v) },
      };
    });
  }

  async setAdapterState(state: AdapterState): Promise<void> {
    return this.exclusive(async () => {
      const lora = this.lora;
      if (!lora) throw new Error('this engine has no LoRA adapters (create it with the lora option)');
      // Validate everything first, so a bad state leaves the engine as it was.
      checkAdapterArrays(lora.layout, state.weights);
      const optimizer = new AdamW(lora.layout);
      if (state.optimizer) {
        if (!(Number.isInteger(state.optimizer.step) && state.optimizer.step >= 0)) throw new Error(`optimizer step must be an integer ≥ 0, got ${state.optimizer.step}`);
        checkAdapterArrays(lora.layout, state.optimizer.m, 'optimizer moment m of');
        checkAdapterArrays(lora.layout, state.optimizer.v, 'optimizer moment v of');
        for (const s of lora.layout.specs) {
          optimizer.m.set(state.optimizer.m[s.name].data, s.offset);
          optimizer.v.set(state.optimizer.v[s.name].data, s.offset);
        }
        optimizer.step = state.optimizer.step;
      }
      for (const s of lora.layout.specs) lora.values.set(state.weights[s.name].data, s.offset);
      this.optimizer = optimizer;
      lora.apply(this.params);
      this.weightsChanged();
    });
  }

  async setAdaptersEnabled(enabled: boolean): Promise<void> {
    return this.exclusive(async () => {
      const lora = this.lora;
      if (!lora) throw new Error('this engine has no LoRA adapters (create it with the lora option)');
      if (lora.enabled === enabled) return;
      lora.enabled = enabled;
      lora.apply(this.params);
      this.weightsChanged();
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.generator !== this.compute.replica) this.generator?.dispose();
    await this.compute.dispose();
  }

  private weightsChanged(): void {
    this.weightsVersion++;
    this.compute.weightsChanged();
    this.generator?.weightsChanged();
  }

  /** The engine is single-flight: overlapping calls would read weights mid-update. */
  private async exclusive<T>(f: () => Promise<T>): Promise<T> {
    if (this.disposed) throw new Error('the engine was disposed');
    if (this.busy) throw new Error('engine calls must not overlap: await the previous one first');
    this.busy = true;
    try {
      return await f();
    } finally {
      this.busy = false;
    }
  }
}
