// The compute engine seam: everything that touches TensorFlow.js lives behind this interface.
// The training loop (data, schedule, checkpoints, metrics, IPC) only sees plain arrays.

export interface GptConfig {
  vocabSize: number;
  contextLength: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** MLP hidden size; 4 * dModel by default. */
  dFF?: number;
  layerNormEps?: number;
  /** Tie the output projection to the token embedding. */
  tieEmbeddings?: boolean;
}

/** Parameters by Hugging Face-style name (e.g. `h.0.attn.c_attn.weight`), row-major float32. */
export interface NamedArrays {
  [name: string]: { shape: number[]; data: Float32Array };
}

/** One micro-batch, row-major [batchSize, seqLen]. `weights` is the loss mask (1 = trained, 0 = ignored). */
export interface Batch {
  batchSize: number;
  seqLen: number;
  tokens: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  /**
   * Optional segment ids for packed sequences: attention never crosses a change of segment id and
   * positions restart at each segment. Absent means one sequence per row.
   */
  segments?: Int32Array;
}

export interface OptimizerSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled (AdamW) weight decay, applied to matrices only (not biases, norms or embeddings' positions). */
  weightDecay: number;
  /** Clip the global gradient norm to this value (0 = no clipping). */
  clipNorm: number;
}

export interface StepResult {
  /** Mean loss per trained token over all micro-batches of the step. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Trained (weighted) tokens in the step. */
  trainedTokens: number;
  /** All tokens processed (for throughput). */
  tokens: number;
}

export interface BackendInfo {
  /** 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' */
  name: string;
  /** What the computation actually runs on, e.g. 'CUDA GPU', 'CPU (2 threads)'. */
  device: string;
  threads: number;
  /** Why this backend was chosen (what was tried and failed), for the log. */
  reason: string;
}

export interface EngineState {
  params: NamedArrays;
  /** Adam moments by parameter name, and the optimizer's step count. */
  optimizer: { step: number; m: NamedArrays; v: NamedArrays } | null;
}

export interface Engine {
  readonly config: GptConfig;
  readonly backend: BackendInfo;
  readonly parameterCount: number;
  /** Forward + backward over the micro-batches (gradient accumulation), then one AdamW update. */
  trainStep(microBatches: Batch[], opt: OptimizerSettings): Promise<StepResult>;
  /** Summed loss and trained-token count, no update. */
  evalLoss(batch: Batch): Promise<{ lossSum: number; tokens: number }>;
  /** Next-token logits at the last position of each sequence (for generation). */
  nextTokenLogits(sequences: number[][]): Promise<Float32Array[]>;
  getState(): Promise<EngineState>;
  setState(state: EngineState): Promise<void>;
  dispose(): Promise<void>;
}
