// createEngine: the training loop's only entry into the model. Weights and Adam moments live here in
// plain Float32Arrays (the master copy); a Compute (this thread, or data-parallel workers) turns
// batches into summed gradients; AdamW runs in JS on the averaged, clipped gradient.
import { availableParallelism } from 'node:os';
import type { Batch, Engine, EngineState, GenerationOptions, GenerationSession, GptConfig, NamedArrays, OptimizerSettings, StepResult, BackendInfo, TrainStepOptions } from './types';
import { initParams, paramLayout, resolveConfig, toNamed, fromNamed, type ParamLayout, type ResolvedConfig } from './params';
import { AdamW, clipFactor, validateSettings } from './adamw';
import { validateBatch, type Compute } from './compute';
import { LocalCompute } from './local';
import { PoolCompute } from './pool';
import { GptReplica } from './model';
import { CachedGeneration } from './generation';
import { loadBackend, type BackendName, type Tf } from '../backend/index';

export interface CreateEngineOptions {
  config: GptConfig;
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
  /** Force a backend for this process (as INSTRUCT_STUDIO_BACKEND); the first engine of a process decides. */
  backend?: BackendName;
}

export async function createEngine(options: CreateEngineOptions): Promise<Engine> {
  const config = resolveConfig(options.config);
  const layout = paramLayout(config);
  const params = sharedFloats(layout.total);
  if (options.params) fromNamed(layout, options.params, params);
  else initParams(layout, options.seed, params);
  const loaded = await loadBackend({ force: options.backend });
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(2, availableParallelism())));
  const compute: Compute = threads > 1 && (loaded.info.name === 'wasm' || loaded.info.name === 'cpu')
    ? await PoolCompute.start(loaded.info, config, params, threads)
    : new LocalCompute(loaded, config, layout, params);
  return new GptEngine(options.config, config, layout, params, compute, loaded.tf);
}

/** Parameter count of a config without building an engine. */
export function countParameters(config: GptConfig): number {
  return paramLayout(resolveConfig(config)).total;
}

/** A SharedArrayBuffer-backed array, so worker threads read the same weights without copies. */
function sharedFloats(n: number): Float32Array<ArrayBuffer> {
  // Typed as ArrayBuffer-backed: every API here reads it the same way.
  return new Float32Array(new SharedArrayBuffer(n * 4)) as unknown as Float32Array<ArrayBuffer>;
}

class GptEngine implements Engine {
  readonly backend: BackendInfo;
  readonly parameterCount: number;
  private optimizer: AdamW;
  private readonly grad: Float32Array;
  private busy = false;
  private disposed = false;
  /** Generation runs in this thread on its own replica (the pool's workers only split rows for gradients). */
  private generator: GptReplica | null = null;
  /** Bumped whenever the weights change, so an open generation session's cache is known to be stale. */
  private weightsVersion = 0;

  constructor(
    readonly config: GptConfig,
    private readonly resolved: ResolvedConfig,
    private readonly layout: ParamLayout,
    private readonly params: Float32Array,
    private readonly compute: Compute,
    private readonly tf: Tf,
  ) {
    this.backend = compute.backend;
    this.parameterCount = layout.total;
    this.optimizer = new AdamW(layout);
    this.grad = new Float32Array(layout.total);
  }

  async trainStep(microBatches: Batch[], opt: OptimizerSettings, options: TrainStepOptions = {}): Promise<StepResult> {
    return this.exclusive(async () => {
      validateSettings(opt);
      const { normalizer } = options;
      if (normalizer !== undefined && !(Number.isFinite(normalizer) && normalizer > 0)) throw new Error(`trainStep normalizer must be a positive number, got ${normalizer}`);
      if (microBatches.length === 0) throw new Error('trainStep needs at least one micro-batch');
      for (const b of microBatches) validateBatch(b);
      const grad = this.grad;
      grad.fill(0);
      const { lossSum, weightSum } = await this.compute.gradients(microBatches, grad);
      const tokens = microBatches.reduce((n, b) => n + b.batchSize * b.seqLen, 0);
      // Nothing to learn from (every token masked): no update, no optimizer step.
      if (weightSum === 0 && normalizer === undefined) return { loss: 0, gradNorm: 0, trainedTokens: 0, tokens };
      const divisor = normalizer ?? weightSum;
      const inv = 1 / divisor;
      for (let i = 0; i < grad.length; i++) grad[i] *= inv;
      const { norm, scale } = clipFactor(grad, opt.clipNorm);
      if (!Number.isFinite(norm)) throw new Error(`gradient norm is ${norm}: the loss diverged (lower the learning rate?)`);
      this.optimizer.update(this.params, grad, opt, scale);
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
    this.generator ??= new GptReplica(this.tf, this.resolved, this.layout, this.params);
    return CachedGeneration.start(this.tf, this.generator, prompts, Math.min(window, T), guard);
  }

  async getState(): Promise<EngineState> {
    return this.exclusive(async () => ({
      params: toNamed(this.layout, this.params),
      optimizer: this.optimizer.step === 0 ? null : {
        step: this.optimizer.step,
        m: toNamed(this.layout, this.optimizer.m),
        v: toNamed(this.layout, this.optimizer.v),
      },
    }));
  }

  async setState(state: EngineState): Promise<void> {
    return this.exclusive(async () => {
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
      this.optimizer = optimizer;
      this.weightsChanged();
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.generator?.dispose();
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
