// The Axolotl config (axolotl.yml): the run's settings under Axolotl's key names (docs/config-reference.qmd),
// each dataset with the `type` its format needs, LoRA and DPO when the run used them.
import { dirname, resolve } from 'node:path';
import type { DatasetFormat } from '../dataset/types';
import type { PresetName } from '../template/index';
import { baseModelValue, loraTargets, type DataPaths, type ExportPlan } from './plan';
import { yamlDocument, type YamlEntry, type YamlValue } from './yaml';

/** Presets whose Axolotl built-in (src/axolotl/utils/schemas/enums.py ChatTemplate) is the same template. */
export const AXOLOTL_CHAT_TEMPLATES: Partial<Record<PresetName, string>> = {
  chatml: 'chatml',
  'llama-3': 'llama3',
  gemma: 'gemma',
  'phi-3': 'phi_3',
  alpaca: 'alpaca',
};

/** One `datasets:` entry: the records file and the Axolotl prompt strategy for its format. */
export function axolotlDataset(paths: DataPaths, opts: { split?: boolean } = {}): { [key: string]: YamlValue } {
  const head: { [key: string]: YamlValue } = { path: paths.format === 'preference' ? paths.rendered : paths.records, ds_type: 'json' };
  if (opts.split || paths.format === 'preference') head.split = 'train';
  return { ...head, ...axolotlType(paths.format) };
}

export function axolotlType(format: DatasetFormat): { [key: string]: YamlValue } {
  switch (format) {
    case 'alpaca':
      return { type: 'alpaca' };
    case 'chat':
      return {
        type: 'chat_template',
        field_messages: 'messages',
        message_property_mappings: { role: 'role', content: 'content' },
        roles_to_train: ['assistant'],
        train_on_eos: 'turn',
      };
    case 'completion':
      // A user-defined prompt: the prompt field verbatim as the (untrained) input, the completion as the output.
      return { type: { field_instruction: 'prompt', field_output: 'completion', format: '{instruction}', no_input_format: '{instruction}' } };
    case 'preference':
      // The pairs were rendered through the run's template at export: prompt, chosen and rejected are taken as they are.
      return { type: { field_prompt: 'prompt', field_chosen: 'chosen', field_rejected: 'rejected', prompt_format: '{prompt}', chosen_format: '{chosen}', rejected_format: '{rejected}' } };
  }
}

export function axolotlConfig(plan: ExportPlan): string {
  const src = plan.source;
  const s = src.settings;
  const entries: YamlEntry[] = [];
  entries.push({ key: 'base_model', value: baseModelValue(plan), comment: plan.baseModelNote });

  const formats = [plan.train.format, plan.eval?.format].filter(Boolean);
  if (src.stage === 'sft' && formats.includes('chat') && plan.chatTemplate !== null) {
    const named = src.template.preset ? AXOLOTL_CHAT_TEMPLATES[src.template.preset] : undefined;
    if (templateIsBaseModels(plan)) entries.push({ key: 'chat_template', value: 'tokenizer_default', blankBefore: true, comment: "The run rendered with the base model's own chat template." });
    else if (named) entries.push({ key: 'chat_template', value: named, blankBefore: true, comment: `The run's template (${src.template.preset}) under Axolotl's name for it.` });
    else {
      entries.push({
        key: 'chat_template_jinja',
        value: plan.chatTemplate,
        blankBefore: true,
        comment: [`The run's chat template (${src.template.ref ?? 'byte-level, the default'}), verbatim; also in ${plan.chatTemplateFile}.`,
          "bos_token / eos_token in it are the base model tokenizer's on the cluster."],
      });
    }
  }
  if (src.stage === 'dpo') {
    entries.push({ key: 'rl', value: src.dpo.loss === 'ipo' ? 'ipo' : 'dpo', blankBefore: true, comment: 'Preference tuning, as the local run did.' });
    // Axolotl's config reference names no label-smoothing key, so a smoothed run says so instead of guessing one.
    entries.push({ key: 'rl_beta', value: src.dpo.beta, ...(src.dpo.labelSmoothing ? { trailing: `the local run also used label smoothing ${src.dpo.labelSmoothing} (train_trl.py sets it)` } : {}) });
  }

  const trainComment = [`${plan.train.count} records of ${src.dataset} (${plan.train.format})${plan.train.format === 'preference' ? `, ${plan.train.renderedCount} pairs rendered with the run's template` : ''}.`];
  if (plan.train.format === 'alpaca' && src.template.preset !== 'alpaca') {
    trainComment.push(`Axolotl's alpaca prompt is the Stanford one; the local run rendered with ${src.template.ref ?? 'byte-level'}.`,
      `For that exact text use ${plan.train.rendered} with type: {field_instruction: prompt, field_output: completion, format: "{instruction}", no_input_format: "{instruction}"}.`);
  }
  entries.push({ key: 'datasets', value: [axolotlDataset(plan.train)], blankBefore: true, comment: trainComment });
  if (plan.eval) entries.push({ key: 'test_datasets', value: [axolotlDataset(plan.eval, { split: true })], comment: `${plan.eval.count} records of ${src.eval}.` });
  else entries.push({ key: 'val_set_size', value: s.evalFraction, comment: 'Held-out share of the training data, as the local run held out.' });
  entries.push({ key: 'dataset_prepared_path', value: './last_run_prepared' });
  entries.push({ key: 'output_dir', value: plan.outputDir });

  entries.push({ key: 'sequence_len', value: s.contextLength, blankBefore: true });
  // Packing and input masking are SFT settings; DPO scores whole completions of unpacked pairs.
  if (src.stage === 'sft') {
    entries.push({ key: 'sample_packing', value: s.packing });
    if (s.packing) entries.push({ key: 'pad_to_sequence_len', value: true });
    entries.push({ key: 'train_on_inputs', value: false, comment: 'Loss on responses only, as the local run.' });
  }

  if (src.lora) {
    const t = loraTargets(plan);
    entries.push({ key: 'adapter', value: 'lora', blankBefore: true });
    entries.push({ key: 'lora_r', value: src.lora.r });
    entries.push({ key: 'lora_alpha', value: src.lora.alpha });
    entries.push({ key: 'lora_dropout', value: src.lora.dropout });
    entries.push({ key: 'lora_target_modules', value: t.modules, comment: t.defaulted ? 'The local run used the default targets (attention projections); these are their names in the base model.' : undefined });
  }

  entries.push({ key: 'micro_batch_size', value: s.batchSize, blankBefore: true, comment: 'Per GPU. Effective batch = micro_batch_size × gradient_accumulation_steps × GPUs; the local run had 1 "GPU".' });
  entries.push({ key: 'gradient_accumulation_steps', value: s.gradAccum });
  if ('maxSteps' in plan.length) entries.push({ key: 'max_steps', value: plan.length.maxSteps, ...(plan.lengthNote ? { comment: plan.lengthNote } : {}) });
  else entries.push({ key: 'num_epochs', value: plan.length.epochs });
  entries.push({ key: 'optimizer', value: 'adamw_torch', comment: 'AdamW with decoupled weight decay, as the local trainer.' });
  entries.push({ key: 'learning_rate', value: s.lr });
  entries.push({ key: 'lr_scheduler', value: 'cosine' });
  if (s.minLr > 0) entries.push({ key: 'cosine_min_lr_ratio', value: round(s.minLr / s.lr), comment: `The local schedule decays to ${s.minLr}.` });
  entries.push({ key: 'warmup_steps', value: s.warmupSteps });
  entries.push({ key: 'weight_decay', value: s.weightDecay });
  entries.push({ key: 'adam_beta1', value: s.beta1 });
  entries.push({ key: 'adam_beta2', value: s.beta2 });
  entries.push({ key: 'adam_epsilon', value: s.eps });
  entries.push({ key: 'max_grad_norm', value: s.clipNorm });
  entries.push({ key: 'seed', value: s.seed });
  entries.push({ key: 'bf16', value: 'auto', blankBefore: true });

  if (s.evalEvery > 0) entries.push({ key: 'eval_steps', value: s.evalEvery, blankBefore: true });
  entries.push({ key: 'logging_steps', value: s.logEvery, ...(s.evalEvery > 0 ? {} : { blankBefore: true }) });
  entries.push({ key: 'save_steps', value: s.checkpointEvery });
  if (s.patience > 0) entries.push({ key: 'early_stopping_patience', value: s.patience });

  const header = [
    `Axolotl config exported by Instruct Studio from the run "${src.name}" (${src.runDir}).`,
    'Run from this folder: axolotl train axolotl.yml   (see README.md for multi-GPU and DeepSpeed)',
  ];
  return yamlDocument(entries, header) + '\n# DeepSpeed ZeRO-2 (optional): uncomment to shard optimizer states and gradients across GPUs.\n# deepspeed: deepspeed_zero2.json\n';
}

/** The run's template came from the base model folder itself (its tokenizer_config.json or chat_template.jinja). */
function templateIsBaseModels(plan: ExportPlan): boolean {
  const m = plan.source.model;
  const ref = plan.source.template.ref;
  if (m.kind !== 'folder' || !ref || plan.baseModel !== m.path) return false;
  const path = resolve(ref.replace(/#[^/\\]*$/, ''));
  return path === m.path || dirname(path) === m.path;
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}
