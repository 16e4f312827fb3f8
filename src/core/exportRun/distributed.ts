// Launch configs for more than one GPU: accelerate (plain multi-GPU data parallel, or DeepSpeed) and a DeepSpeed
// ZeRO-2 JSON whose "auto" values are filled in from the trainer's arguments by transformers' integration.
import { yamlDocument } from './yaml';

const NUM_PROCESSES_NOTE = [
  'num_processes: how many GPUs this machine trains on (one process each). 8 is a placeholder:',
  'set it to your GPU count, or override it at launch with --num_processes N.',
];

export function accelerateMultiGpu(): string {
  return yamlDocument([
    { key: 'compute_environment', value: 'LOCAL_MACHINE' },
    { key: 'distributed_type', value: 'MULTI_GPU' },
    { key: 'mixed_precision', value: 'bf16', comment: 'bf16 needs an Ampere or newer GPU; use "fp16" on older ones.' },
    { key: 'num_machines', value: 1 },
    { key: 'machine_rank', value: 0 },
    { key: 'num_processes', value: 8, comment: NUM_PROCESSES_NOTE },
    { key: 'gpu_ids', value: 'all' },
    { key: 'rdzv_backend', value: 'static' },
    { key: 'same_network', value: true },
    { key: 'main_training_function', value: 'main' },
    { key: 'use_cpu', value: false },
  ], ['accelerate config: data-parallel training on every GPU of one machine.', 'accelerate launch --config_file accelerate_multi_gpu.yaml train_trl.py']);
}

export function accelerateDeepSpeed(): string {
  return yamlDocument([
    { key: 'compute_environment', value: 'LOCAL_MACHINE' },
    { key: 'distributed_type', value: 'DEEPSPEED' },
    {
      key: 'deepspeed_config',
      value: { deepspeed_config_file: 'deepspeed_zero2.json', zero3_init_flag: false },
      comment: 'Precision, batch sizes and clipping come from deepspeed_zero2.json ("auto": taken from the script\'s arguments).',
    },
    { key: 'num_machines', value: 1 },
    { key: 'machine_rank', value: 0 },
    { key: 'num_processes', value: 8, comment: NUM_PROCESSES_NOTE },
    { key: 'rdzv_backend', value: 'static' },
    { key: 'same_network', value: true },
    { key: 'main_training_function', value: 'main' },
    { key: 'use_cpu', value: false },
  ], ['accelerate config: DeepSpeed ZeRO-2 (optimizer states and gradients sharded across GPUs).', 'accelerate launch --config_file accelerate_deepspeed_zero2.yaml train_trl.py']);
}

export function deepSpeedZero2(): string {
  return JSON.stringify({
    bf16: { enabled: 'auto' },
    fp16: { enabled: 'auto' },
    zero_optimization: {
      stage: 2,
      allgather_partitions: true,
      allgather_bucket_size: 2e8,
      overlap_comm: true,
      reduce_scatter: true,
      reduce_bucket_size: 'auto',
      contiguous_gradients: true,
    },
    gradient_accumulation_steps: 'auto',
    gradient_clipping: 'auto',
    train_batch_size: 'auto',
    train_micro_batch_size_per_gpu: 'auto',
    steps_per_print: 100,
    wall_clock_breakdown: false,
  }, null, 2) + '\n';
}
