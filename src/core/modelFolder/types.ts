// What a model folder on disk is, before any weight is read: enough for a hover, a quick pick, a memory estimate
// and the engine's config. Reading it never loads weights (describeModelFolder reads JSON and safetensors headers).
import type { ModelConfig } from '../../trainer/engine/types';

export type ModelFolderKind =
  /** A checkpoint or export of this product's built-in GPT (config.json model_type "instruct-studio-gpt"). */
  | 'builtin'
  /** A Hugging Face folder (config.json with `architectures` / `model_type`). */
  | 'huggingface';

export interface ModelFolderProblem {
  /** The file the problem is in, relative to the folder (e.g. "config.json"). */
  file: string;
  /** The JSON field or tensor name, when one is to blame. */
  field?: string;
  message: string;
}

export interface ModelFolderInfo {
  /** Absolute path of the folder. */
  dir: string;
  kind: ModelFolderKind;
  /** config.json `architectures[0]` (e.g. "LlamaForCausalLM"), or "InstructStudioGPT" for the built-in. */
  architectureName: string;
  /** config.json `model_type` (e.g. "llama", "gpt2", "qwen2"). */
  modelType: string;
  /** The engine config when the architecture is supported; null otherwise (see `problems`). */
  config: ModelConfig | null;
  parameterCount: number | null;
  contextLength: number | null;
  vocabSize: number | null;
  /** Weight dtype on disk ("F32", "BF16", "F16", or "mixed"). */
  dtype: string | null;
  /** Weight files in load order (one, or the shards named by model.safetensors.index.json). */
  weightFiles: string[];
  /** Total bytes of the weight files. */
  weightBytes: number;
  tokenizer: { kind: 'byte-level' | 'huggingface'; file: string } | null;
  /** The chat template (tokenizer_config.json `chat_template` or chat_template.jinja), when there is one. */
  chatTemplate: string | null;
  specialTokens: { bos?: string; eos?: string; pad?: string; unk?: string };
  /** generation_config.json, when present (raw values). */
  generationConfig: Record<string, unknown> | null;
  /** A PEFT adapter folder (adapter_config.json) rather than a full model. */
  adapter: { baseModel: string | null; r: number; alpha: number; targetModules: string[] } | null;
  /** Anything that stops this folder from loading; empty when it loads. */
  problems: ModelFolderProblem[];
}
