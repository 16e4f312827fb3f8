// The TRL script (train_trl.py): SFTTrainer/SFTConfig, or DPOTrainer/DPOConfig for a preference run, with the
// run's settings under the argument names of trl's configs and transformers' TrainingArguments. It trains on the
// examples rendered at export (data/*.rendered.jsonl or *.pairs.jsonl), so the text and the trained part of each
// example are exactly what the local run trained on, whatever the template.
import { BASE_MODEL_PLACEHOLDER, loraTargets, type ExportPlan } from './plan';

type Py = string | number | boolean | null | Py[] | { [key: string]: Py };

/** A Python literal; JSON string escapes are valid in Python string literals. */
export function pyLiteral(v: Py): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} in a script`);
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyLiteral(x)}`).join(', ')}}`;
}

function kwargs(args: Array<[string, Py | { raw: string }]>, indent: string): string {
  return args.map(([k, v]) => `${indent}${k}=${typeof v === 'object' && v !== null && !Array.isArray(v) && 'raw' in v ? v.raw : pyLiteral(v as Py)},`).join('\n');
}

export function trlScript(plan: ExportPlan): string {
  const src = plan.source;
  const s = src.settings;
  const dpo = src.stage === 'dpo';
  const Config = dpo ? 'DPOConfig' : 'SFTConfig';
  const Trainer = dpo ? 'DPOTrainer' : 'SFTTrainer';
  const hasEval = plan.eval !== null || s.evalFraction > 0;

  const args: Array<[string, Py | { raw: string }]> = [
    ['output_dir', plan.outputDir],
    ['learning_rate', s.lr],
    ['lr_scheduler_type', s.minLr > 0 ? 'cosine_with_min_lr' : 'cosine'],
    ...(s.minLr > 0 ? [['lr_scheduler_kwargs', { min_lr_rate: Number((s.minLr / s.lr).toPrecision(6)) }] as [string, Py]] : []),
    ['warmup_steps', s.warmupSteps],
    'maxSteps' in plan.length ? ['max_steps', plan.length.maxSteps] : ['num_train_epochs', plan.length.epochs],
    ['per_device_train_batch_size', s.batchSize],
    ['per_device_eval_batch_size', s.batchSize],
    ['gradient_accumulation_steps', s.gradAccum],
    ['optim', 'adamw_torch'],
    ['weight_decay', s.weightDecay],
    ['adam_beta1', s.beta1],
    ['adam_beta2', s.beta2],
    ['adam_epsilon', s.eps],
    ['max_grad_norm', s.clipNorm],
    ['seed', s.seed],
    ['max_length', s.contextLength],
    ...(dpo ? [
      ['beta', src.dpo.beta], ['loss_type', src.dpo.loss], ['label_smoothing', src.dpo.labelSmoothing],
    ] as Array<[string, Py]> : [
      ['packing', s.packing], ['completion_only_loss', true],
    ] as Array<[string, Py]>),
    ['eval_strategy', hasEval && s.evalEvery > 0 ? 'steps' : hasEval ? 'epoch' : 'no'],
    ...(hasEval && s.evalEvery > 0 ? [['eval_steps', s.evalEvery] as [string, Py]] : []),
    ['logging_steps', s.logEvery],
    ['save_steps', s.checkpointEvery],
    ['bf16', { raw: 'BF16' }],
    ['report_to', 'none'],
  ];

  const lora = src.lora;
  const targets = loraTargets(plan);
  const loraBlock = lora ? `
# LoRA as the local run: rank ${lora.r}, alpha ${lora.alpha}, dropout ${lora.dropout}${targets.defaulted ? ' (default targets: the attention projections)' : ''}.
peft_config = LoraConfig(
    r=${pyLiteral(lora.r)},
    lora_alpha=${pyLiteral(lora.alpha)},
    lora_dropout=${pyLiteral(lora.dropout)},
    target_modules=${pyLiteral(targets.modules)},
    task_type="CAUSAL_LM",
)
` : '\npeft_config = None  # the local run fine-tuned every weight (no LoRA)\n';

  const evalLoad = plan.eval
    ? `eval_dataset = load_dataset("json", data_files=data_file(${pyLiteral(plan.eval.rendered)}), split="train").map(without_double_bos)`
    : s.evalFraction > 0
      ? `split = train_dataset.train_test_split(test_size=${pyLiteral(s.evalFraction)}, seed=SEED)  # the held-out share of the local run\ntrain_dataset, eval_dataset = split["train"], split["test"]`
      : 'eval_dataset = None';

  const baseNote = plan.baseModelNote.map((l) => `# ${l}`).join('\n');
  const base = `${baseNote}\nBASE_MODEL = os.environ.get("BASE_MODEL") or ${pyLiteral(plan.baseModel ?? BASE_MODEL_PLACEHOLDER)}`;

  return `#!/usr/bin/env python3
"""${dpo ? 'DPO' : 'Supervised fine-tuning'} with TRL, exported by Instruct Studio from the run "${src.name.replace(/["\\]/g, '_')}".

Launch from this folder (see README.md):
    accelerate launch --config_file accelerate_multi_gpu.yaml train_trl.py
    accelerate launch --config_file accelerate_deepspeed_zero2.yaml train_trl.py   # DeepSpeed ZeRO-2

Needs: pip install "trl>=0.20" transformers datasets accelerate peft   (deepspeed for ZeRO-2)
"""
import os

import torch
from datasets import load_dataset
from transformers import AutoTokenizer
from trl import ${Config}, ${Trainer}
${lora ? 'from peft import LoraConfig\n' : ''}
HERE = os.path.dirname(os.path.abspath(__file__))

${base}
if BASE_MODEL == ${pyLiteral(BASE_MODEL_PLACEHOLDER)}:
    raise SystemExit("train_trl.py: choose a base model first: set BASE_MODEL=<hub id or folder> or edit BASE_MODEL in this file")

SEED = ${pyLiteral(s.seed)}
# bf16 where the GPU supports it (Ampere or newer), as the accelerate configs ask.
BF16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()


def data_file(name):
    return os.path.join(HERE, name)


tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL)
if tokenizer.pad_token is None:
    tokenizer.pad_token = tokenizer.eos_token
${plan.chatTemplateFile ? `# The run's chat template, so the saved tokenizer renders prompts at inference as training did.
with open(data_file(${pyLiteral(plan.chatTemplateFile)}), encoding="utf-8") as f:
    tokenizer.chat_template = f.read()
` : ''}
# Rendered prompts start with the template's BOS text when it writes one; a tokenizer that adds its own BOS would double it.
TEMPLATE_BOS = ${pyLiteral(plan.templateBos)}
ADDS_BOS = tokenizer.bos_token_id is not None and tokenizer("x")["input_ids"][:1] == [tokenizer.bos_token_id]


def without_double_bos(example):
    prompt = example["prompt"]
    for bos in {TEMPLATE_BOS, tokenizer.bos_token or ""}:
        if ADDS_BOS and bos and prompt.startswith(bos):
            prompt = prompt[len(bos):]
    return {**example, "prompt": prompt}


# ${dpo ? 'prompt / chosen / rejected' : 'prompt / completion'} rendered with the run's template${dpo ? '' : ' (one example per trained span)'}.
train_dataset = load_dataset("json", data_files=data_file(${pyLiteral(plan.train.rendered)}), split="train").map(without_double_bos)
${evalLoad}
${loraBlock}
args = ${Config}(
${kwargs(args, '    ')}
)

trainer = ${Trainer}(
    model=BASE_MODEL,
    args=args,
    train_dataset=train_dataset,
    eval_dataset=eval_dataset,
    processing_class=tokenizer,
    peft_config=peft_config,
)
trainer.train()
trainer.save_model(args.output_dir)
tokenizer.save_pretrained(args.output_dir)
`;
}
