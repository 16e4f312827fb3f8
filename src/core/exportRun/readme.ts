// README.md of an export: what was exported from which run, the exact command lines, and what differs from the
// local run (batch size across GPUs, the base model).
import { describeSkipped, type PreparedFile } from './data';
import type { ExportPlan } from './plan';

export type ExportTarget = 'axolotl' | 'trl';

export function exportReadme(plan: ExportPlan, target: ExportTarget, prepared: { train: PreparedFile; eval: PreparedFile | null }): string {
  const src = plan.source;
  const s = src.settings;
  const out: string[] = [];
  out.push(`# ${src.name}: ${target === 'axolotl' ? 'Axolotl' : 'TRL'} export`, '');
  out.push(`Exported by Instruct Studio from the run folder \`${src.runDir}\` (${src.stage === 'dpo' ? 'DPO' : 'SFT'}), so the same training runs on`,
    'one or more GPUs with an existing distributed trainer. Everything it needs is in this folder; run the commands from here.', '');

  out.push('## Base model', '');
  if (plan.baseModel === null) out.push(`**Choose one before launching.** ${plan.baseModelNote.join(' ')}`, '', target === 'axolotl' ? 'Edit `base_model:` in `axolotl.yml`.' : 'Set `BASE_MODEL=<hub id or folder>` in the environment, or edit `BASE_MODEL` in `train_trl.py`.', '');
  else out.push(`\`${plan.baseModel}\`. ${plan.baseModelNote.join(' ')}`, '');

  out.push('## Launch', '', '```bash');
  if (target === 'axolotl') {
    out.push('# one machine, every GPU (Axolotl starts accelerate itself)', 'axolotl train axolotl.yml', '',
      '# the same through accelerate, with the multi-GPU config here (set num_processes to your GPU count)',
      'accelerate launch --config_file accelerate_multi_gpu.yaml -m axolotl.cli.train axolotl.yml', '',
      '# DeepSpeed ZeRO-2: uncomment `deepspeed: deepspeed_zero2.json` at the end of axolotl.yml, then', 'axolotl train axolotl.yml');
  } else {
    out.push('# one machine, every GPU: data parallel (set num_processes in the config, or pass it)',
      'accelerate launch --config_file accelerate_multi_gpu.yaml --num_processes 8 train_trl.py', '',
      '# DeepSpeed ZeRO-2: optimizer states and gradients sharded across the GPUs',
      'accelerate launch --config_file accelerate_deepspeed_zero2.yaml --num_processes 8 train_trl.py', '',
      '# one GPU, for a first check', 'python train_trl.py');
  }
  out.push('```', '');
  out.push(target === 'axolotl'
    ? 'Needs `pip install axolotl` (and `deepspeed` for ZeRO-2). `num_processes: 8` in the accelerate configs is a placeholder for the GPU count of your machine.'
    : 'Needs `pip install "trl>=0.20" transformers datasets accelerate peft` (and `deepspeed` for ZeRO-2). `num_processes: 8` in the accelerate configs is a placeholder for the GPU count of your machine.', '');

  out.push('## Settings carried over', '', '| setting | local run | here |', '| --- | --- | --- |');
  const row = (a: string, b: string | number | boolean, c: string | number) => out.push(`| ${a} | ${b} | ${c} |`);
  row('learning rate', s.lr, `${s.lr}, cosine to ${s.minLr} after ${s.warmupSteps} warmup steps`);
  row('length', 'maxSteps' in plan.length ? `${plan.length.maxSteps} steps` : `${plan.length.epochs} epoch(s)`, plan.lengthNote ?? 'same');
  row('sequence length', s.contextLength, `${s.contextLength}${s.packing ? ', packed' : ''}`);
  row('batch', `${s.batchSize} rows × ${s.gradAccum} accumulation`, `${s.batchSize} per GPU × ${s.gradAccum} × GPUs`);
  row('optimizer', `AdamW β=(${s.beta1}, ${s.beta2}), weight decay ${s.weightDecay}, clip ${s.clipNorm}`, 'adamw_torch, same values');
  row('seed', s.seed, s.seed);
  if (src.lora) row('LoRA', `r ${src.lora.r}, alpha ${src.lora.alpha}, dropout ${src.lora.dropout}`, 'same');
  else row('weights', 'full fine-tune', 'full fine-tune');
  if (src.stage === 'dpo') row('DPO', `β ${src.dpo.beta}, ${src.dpo.loss} loss`, 'same');
  row('template', src.template.ref ?? 'byte-level (default)', plan.chatTemplateFile ? `\`${plan.chatTemplateFile}\`` : 'rendered into the data');
  out.push('', `With N GPUs the effective batch is N times the local one: divide \`gradient_accumulation_steps\` by N (or scale the learning rate) to keep it.`, '');

  out.push('## Data', '');
  const describe = (label: string, paths: ExportPlan['train'], p: PreparedFile) => {
    out.push(`- ${label}: \`${paths.records}\` — ${paths.count} ${paths.format} records of \`${p.source}\` (${describeSkipped(p.skipped)}); ` +
      `\`${paths.rendered}\` — the same rendered with the run's template (${paths.renderedCount} ${src.stage === 'dpo' ? 'pairs' : 'examples'}).`);
  };
  describe('train', plan.train, prepared.train);
  if (plan.eval && prepared.eval) describe('eval', plan.eval, prepared.eval);
  else out.push(`- eval: ${s.evalFraction > 0 ? `a ${s.evalFraction} share held out of the training data, as the local run did` : 'none'}.`);
  out.push('', target === 'axolotl'
    ? 'Axolotl reads the records with its own prompt strategy for their format (see the `type:` of each dataset in axolotl.yml).'
    : 'The TRL script trains on the rendered files: the prompt part is context, the loss is on the completion, exactly the spans the local run trained.', '');
  return out.join('\n');
}
