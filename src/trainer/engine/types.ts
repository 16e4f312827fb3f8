// The compute engine seam: everything that touches TensorFlow.js lives behind this interface.
// The training loop (data, schedule, checkpoints, metrics, IPC) only sees plain arrays.

/** The built-in GPT, and Hugging Face GPT-2 (`GPT2LMHeadModel`): the same architecture and parameter names. */
export interface GptConfig {
  architecture?: 'gpt2';
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

/**
 * The Llama family (`LlamaForCausalLM`, and Llama-compatible Qwen2 / Mistral / SmolLM configs): RMSNorm, RoPE,
 * SwiGLU MLP, grouped-query attention. Field meanings follow the Hugging Face config.json names given in brackets.
 * Parameters keep Hugging Face names and layouts (`model.layers.0.self_attn.q_proj.weight`, [out, in]).
 */
export interface LlamaConfig {
  architecture: 'llama';
  vocabSize: number; // vocab_size
  /** Longest sequence the engine will run (max_position_embeddings, possibly capped by the caller). */
  contextLength: number;
  dModel: number; // hidden_size
  nLayers: number; // num_hidden_layers
  nHeads: number; // num_attention_heads
  nKvHeads: number; // num_key_value_heads (= nHeads when absent)
  headDim: number; // head_dim (= hidden_size / num_attention_heads when absent)
  dFF: number; // intermediate_size
  rmsNormEps: number; // rms_norm_eps
  ropeTheta: number; // rope_theta
  ropeScaling: null
    | { type: 'linear'; factor: number }
    | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number };
  /** q/k/v projections carry biases (Qwen2: true; attention_bias in Llama configs). */
  attentionBias: boolean;
  tieEmbeddings: boolean; // tie_word_embeddings
}

/** Any architecture the engine can run. Absent `architecture` means the built-in GPT. */
export type ModelConfig = GptConfig | LlamaConfig;

export function isLlama(c: ModelConfig): c is LlamaConfig {
  return c.architecture === 'llama';
}

/** Parameters by Hugging Face-style name (e.g. `h.0.attn.c_attn.weight`), row-major float32. */
export interface NamedArrays {
  [name: string]: { shape: number[]; data: Float32Array };
}

/**
 * One micro-batch, row-major [batchSize, seqLen]. `weights` is the loss mask (1 = trained, 0 = ignored); any finite
 * value works, negative included: DPO weights each token by its pair's loss coefficient.
 */
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

export interface TrainStepOptions {
  /**
   * Divide the summed gradient (and loss) by this instead of the summed weights: DPO's weights are signed
   * coefficients that can sum to anything, and its loss is a mean over pairs.
   */
  normalizer?: number;
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
  trainStep(microBatches: Batch[], opt: OptimizerSettings, options?: TrainStepOptions): Promise<StepResult>;
  /** Summed loss and trained-token count, no update. */
  evalLoss(batch: Batch): Promise<{ lossSum: number; tokens: number }>;
  /** Σₜ wₜ·nllₜ of each row of the batch, no update (a sequence's log-probability is minus its row loss). */
  rowLosses(batch: Batch): Promise<Float32Array>;
  /** Next-token logits at the last position of each sequence (a full forward per sequence; see startGeneration). */
  nextTokenLogits(sequences: number[][]): Promise<Float32Array[]>;
  /**
   * Batched, KV-cached generation over these prompts: the session's `logits` are those after each prompt, and
   * each `step` costs one position per row. Same logits as nextTokenLogits on the whole sequences (to float
   * rounding). Its steps are engine calls like any other: they must not overlap, and fail once the weights changed.
   */
  startGeneration(prompts: number[][], options?: GenerationOptions): Promise<GenerationSession>;
  getState(): Promise<EngineState>;
  setState(state: EngineState): Promise<void>;
  dispose(): Promise<void>;
}

export interface GenerationOptions {
  /** The most recent tokens the model sees (default and at most contextLength); older ones slide out. */
  window?: number;
}

export interface GenerationSession {
  /** Rows: one per prompt, in order. */
  readonly size: number;
  /** Next-token logits after each prompt (from the batched prefill). */
  readonly logits: Float32Array[];
  /**
   * Appends `tokens[i]` to row `rows[i]` and returns those rows' next-token logits, in the same order. Rows not
   * listed stay where they are (a finished sequence is simply not listed again).
   */
  step(rows: readonly number[], tokens: readonly number[]): Promise<Float32Array[]>;
  /** Releases the cache; later steps are refused. */
  dispose(): void;
}
