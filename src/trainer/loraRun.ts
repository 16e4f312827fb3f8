// What a LoRA run adds to the training loop: the engine's adapter options from the config, the base model folder
// the adapters name (a base that is not a model folder on disk, e.g. the random-init built-in, is saved once into
// the run's base/), and saving checkpoints as PEFT adapter folders.
import { join } from 'node:path';
import type { Tokenizer } from '../core/tokenizer/types';
import type { Engine, ModelConfig } from './engine/types';
import { isLlama } from './engine/types';
import { defaultLoraTargets, type LoraOptions } from './engine/lora';
import { loraTargetList, type TrainConfig } from './config';
import { saveCheckpoint, type TrainingState } from './checkpoint';
import { saveAdapterCheckpoint, type AdapterSettings } from './adapterCheckpoint';
import type { SavedTemplate } from './template';

export function loraOptionsFor(cfg: TrainConfig, model: ModelConfig): LoraOptions {
  const named = loraTargetList(cfg.loraTargets);
  return { r: cfg.loraR, alpha: cfg.loraAlpha, dropout: cfg.loraDropout, targets: named.length ? named : defaultLoraTargets(model) };
}

/**
 * The folder adapter_config.json names as base_model_name_or_path: the base model's own folder when it is a full
 * model on disk, else `out/base`, written here from the engine's base weights (adapters disabled meanwhile).
 */
export async function adapterBaseFolder(engine: Engine, baseDir: string | null, out: string, model: ModelConfig, tokenizer: Tokenizer, template: SavedTemplate | null): Promise<string> {
  if (baseDir) return baseDir;
  const dir = join(out, 'base');
  await engine.setAdaptersEnabled(false);
  try {
    const { params } = await engine.getState();
    saveCheckpoint(dir, { model, tokenizer, params, optimizer: null, state: null, template });
  } finally {
    await engine.setAdaptersEnabled(true);
  }
  return dir;
}

export function adapterSettingsFor(lora: LoraOptions, baseModel: string, model: ModelConfig): AdapterSettings {
  return { r: lora.r, alpha: lora.alpha, targets: lora.targets, baseModel, fanInFanOut: !isLlama(model) };
}

/** Saves the engine's adapters (and, with `state`, their optimizer moments and the training state) as a PEFT folder. */
export async function saveLoraCheckpoint(dir: string, engine: Engine, settings: AdapterSettings, state: Omit<TrainingState, 'files' | 'optimizer'> | null, template: SavedTemplate | null): Promise<void> {
  const adapter = await engine.getAdapterState();
  if (!adapter) throw new Error('saveLoraCheckpoint: the engine has no LoRA adapters');
  saveAdapterCheckpoint(dir, { settings, adapter, state, template });
}

/** One log line: rank, targets and how many of the parameters train. */
export function loraSummary(lora: LoraOptions, trainable: number, total: number): string {
  return `LoRA r=${lora.r} alpha=${lora.alpha} on ${lora.targets.join(', ')}: ${trainable.toLocaleString('en')} trainable of ${total.toLocaleString('en')} parameters (${((100 * trainable) / total).toFixed(2)}%); base weights frozen`;
}
