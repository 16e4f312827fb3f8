// `export-run`: a run folder becomes an Axolotl config or a TRL script that a cluster can run as it is. The YAML is
// parsed back with a real YAML parser, every path it names exists in the export, the values are the run's, each
// dataset format gets its Axolotl type, and the TRL script compiles with Python.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cli, scratch } from '../cli/run';
import { exportFiles, writeExport } from '../../../src/core/exportRun/index';
import { axolotlType } from '../../../src/core/exportRun/axolotl';
import { yamlDocument, yamlNumber } from '../../../src/core/exportRun/yaml';
import { createRenderer, getPreset } from '../../../src/core/template/index';

// js-yaml is in node_modules through eslint and mocha (dev dependencies); a real parser, not one written for this.
const yaml = createRequire(__filename)('js-yaml') as { load(text: string): unknown };
const SAMPLES = join(__dirname, '..', '..', '..', 'media', 'samples');
const PYTHON = '/usr/bin/python3';

type Obj = Record<string, unknown>;

const CONFIG = {
  dModel: 128, nLayers: 2, nHeads: 4, contextLength: 256, packing: true, batchSize: 8, gradAccum: 2, taskWeights: {}, steps: 400, epochs: 1,
  maxMinutes: 0, lr: 0.001, minLr: 0.0001, warmupSteps: 20, weightDecay: 0.05, beta1: 0.9, beta2: 0.95, eps: 1e-8, clipNorm: 0.5,
  evalEvery: 50, evalFraction: 0.1, exactMatchSamples: 32, maxNewTokens: 48, patience: 0, logEvery: 10, checkpointEvery: 200, seed: 7, threads: 0,
};

/** A run folder as the trainer leaves it (run.json + checkpoint/template.json), over a copy of a sample dataset. */
function makeRun(dir: string, opts: { data: string; eval?: string; model?: string; stage?: string; template?: { ref: string; spec: Obj }; config?: Obj; lines?: string[] }): string {
  const run = join(dir, 'run');
  mkdirSync(join(run, 'checkpoint'), { recursive: true });
  const data = join(dir, opts.data);
  writeFileSync(data, opts.lines ? opts.lines.join('\n') + '\n' : readFileSync(join(SAMPLES, opts.data)));
  let evalPath: string | null = null;
  if (opts.eval) {
    evalPath = join(dir, opts.eval);
    writeFileSync(evalPath, readFileSync(join(SAMPLES, opts.eval)));
  }
  const config = { ...CONFIG, ...(opts.template ? { template: opts.template.ref } : {}), ...opts.config };
  writeFileSync(join(run, 'run.json'), JSON.stringify({ status: 'finished', dataset: data, eval: evalPath, model: opts.model ?? 'tiny', config, total_steps: 400, ...(opts.stage ? { stage: opts.stage } : {}) }));
  if (opts.template) writeFileSync(join(run, 'checkpoint', 'template.json'), JSON.stringify(opts.template));
  return run;
}

function parseYaml(text: string): Obj {
  const v = yaml.load(text);
  assert.ok(v && typeof v === 'object' && !Array.isArray(v), 'the YAML is a mapping');
  return v as Obj;
}

test('YAML numbers are written so PyYAML (YAML 1.1) reads numbers, and strings round-trip through a YAML parser', () => {
  // PyYAML's float needs a dot and a signed exponent: "2e-5" would be the string "2e-5" to Axolotl.
  const py11Float = /^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?$/;
  for (const n of [2e-5, 1e-8, 3.5e-7, 1e21, 0.001]) assert.match(yamlNumber(n), py11Float, String(n));
  assert.equal(yamlNumber(400), '400');
  const tricky = ['yes', 'null', '{{ bos_token }}', 'a: b', '- x', '#hash', "it's", 'line\nbreak\t"q"', '', '0.5', 'ünï ✓'];
  const doc = yamlDocument([{ key: 'list', value: tricky }, { key: 'nested', value: { 'a b': [{ k: 1.5e-6, t: true }] } }], ['header: not a key']);
  const back = parseYaml(doc);
  assert.deepEqual(back.list, tricky);
  assert.deepEqual(back.nested, { 'a b': [{ k: 1.5e-6, t: true }] });
  assert.equal(Object.keys(back).length, 2, 'the header stays a comment');
});

test('each dataset format maps to its Axolotl type', () => {
  assert.deepEqual(axolotlType('alpaca'), { type: 'alpaca' });
  const chat = axolotlType('chat');
  assert.equal(chat.type, 'chat_template');
  assert.equal(chat.field_messages, 'messages');
  assert.deepEqual(chat.message_property_mappings, { role: 'role', content: 'content' });
  assert.deepEqual(chat.roles_to_train, ['assistant']);
  assert.deepEqual(axolotlType('completion').type, { field_instruction: 'prompt', field_output: 'completion', format: '{instruction}', no_input_format: '{instruction}' });
  assert.deepEqual(axolotlType('preference').type, {
    field_prompt: 'prompt', field_chosen: 'chosen', field_rejected: 'rejected', prompt_format: '{prompt}', chosen_format: '{chosen}', rejected_format: '{rejected}',
  });
});

test('axolotl: a chat run with LoRA and a preset template → a config with the run\'s values whose paths exist', async () => {
  const s = scratch();
  try {
    const run = makeRun(s.dir, { data: 'chat.jsonl', template: { ref: 'chatml', spec: { preset: 'chatml' } }, config: { lora: true, loraR: 16, loraAlpha: 32, loraDropout: 0.05, loraTargets: 'q_proj,v_proj' } });
    const out = join(s.dir, 'export');
    const r = await writeExport(run, out, { to: 'axolotl', baseModel: 'Qwen/Qwen2.5-0.5B' });
    const cfg = parseYaml(readFileSync(join(out, 'axolotl.yml'), 'utf8'));
    assert.equal(cfg.base_model, 'Qwen/Qwen2.5-0.5B');
    assert.equal(cfg.chat_template, 'chatml');
    assert.equal(cfg.adapter, 'lora');
    assert.equal(cfg.lora_r, 16);
    assert.equal(cfg.lora_alpha, 32);
    assert.equal(cfg.lora_dropout, 0.05);
    assert.deepEqual(cfg.lora_target_modules, ['q_proj', 'v_proj']);
    const expected: Obj = {
      learning_rate: 0.001, lr_scheduler: 'cosine', cosine_min_lr_ratio: 0.1, warmup_steps: 20, sequence_len: 256, sample_packing: true,
      micro_batch_size: 8, gradient_accumulation_steps: 2, max_steps: 400, weight_decay: 0.05, optimizer: 'adamw_torch', seed: 7,
      adam_beta2: 0.95, adam_epsilon: 1e-8, max_grad_norm: 0.5, val_set_size: 0.1, eval_steps: 50, train_on_inputs: false,
    };
    for (const [k, v] of Object.entries(expected)) assert.equal(cfg[k], v, k);
    assert.equal(cfg.num_epochs, undefined, 'steps given: max_steps, not epochs');
    const [ds] = cfg.datasets as Obj[];
    assert.equal(ds.type, 'chat_template');
    assert.ok(existsSync(join(out, ds.path as string)), `${ds.path} exists in the export`);
    // The records file holds the source's lines verbatim.
    assert.deepEqual(readFileSync(join(out, ds.path as string), 'utf8'), readFileSync(join(s.dir, 'chat.jsonl'), 'utf8'));
    assert.ok(r.files.has('README.md') && r.files.has('deepspeed_zero2.json') && r.files.has('accelerate_multi_gpu.yaml'));
    assert.match(r.files.get('README.md')!, /axolotl train axolotl\.yml/);
    assert.match(r.files.get('README.md')!, /accelerate launch --config_file accelerate_multi_gpu\.yaml -m axolotl\.cli\.train axolotl\.yml/);
    assert.equal(JSON.parse(r.files.get('deepspeed_zero2.json')!).zero_optimization.stage, 2);
  } finally {
    s.done();
  }
});

test('a template with no Axolotl name goes in verbatim as chat_template_jinja; the rendered file has one example per trained span', async () => {
  const s = scratch();
  try {
    const run = makeRun(s.dir, { data: 'chat.jsonl' }); // no template: the byte-level default
    const r = await exportFiles(run, { to: 'axolotl', baseModel: 'x/y' });
    const cfg = parseYaml(r.files.get('axolotl.yml')!);
    const byteLevelChat = getPreset('byte-level').templates.chat!;
    assert.equal(cfg.chat_template_jinja, byteLevelChat);
    assert.equal(cfg.chat_template, undefined);
    assert.equal(r.files.get('chat_template.jinja'), byteLevelChat.endsWith('\n') ? byteLevelChat : byteLevelChat + '\n');
    const renderer = createRenderer({ preset: 'byte-level' });
    const first = JSON.parse(readFileSync(join(s.dir, 'chat.jsonl'), 'utf8').split('\n')[0]);
    const rendering = renderer.render(first);
    const rendered = r.files.get('data/train.rendered.jsonl')!.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rendering.trainSpans.length, 2, 'the first sample chat has two assistant turns');
    rendering.trainSpans.forEach(([a, b], i) => assert.deepEqual(rendered[i], { prompt: rendering.text.slice(0, a), completion: rendering.text.slice(a, b) }));
  } finally {
    s.done();
  }
});

test('alpaca and prompt/completion runs get their types; an eval file becomes test_datasets with a path that exists', async () => {
  const s = scratch();
  try {
    const run = makeRun(s.dir, { data: 'multitask-train.jsonl', eval: 'multitask-eval.jsonl', config: { steps: 0, epochs: 3 } });
    const out = join(s.dir, 'a');
    await writeExport(run, out, { to: 'axolotl', baseModel: 'x/y' });
    const cfg = parseYaml(readFileSync(join(out, 'axolotl.yml'), 'utf8'));
    assert.equal((cfg.datasets as Obj[])[0].type, 'alpaca');
    assert.equal(cfg.num_epochs, 3);
    assert.equal(cfg.max_steps, undefined);
    assert.equal(cfg.val_set_size, undefined, 'an eval file replaces the held-out share');
    const [t] = cfg.test_datasets as Obj[];
    assert.equal(t.type, 'alpaca');
    assert.equal(t.split, 'train');
    assert.ok(existsSync(join(out, t.path as string)));
    assert.equal(cfg.chat_template, undefined, 'no chat data, no chat template');

    const s2 = scratch();
    try {
      const run2 = makeRun(s2.dir, { data: 'completion.jsonl' });
      const cfg2 = parseYaml((await exportFiles(run2, { to: 'axolotl', baseModel: 'x/y' })).files.get('axolotl.yml')!);
      assert.deepEqual(((cfg2.datasets as Obj[])[0].type as Obj).field_output, 'completion');
    } finally {
      s2.done();
    }
  } finally {
    s.done();
  }
});

test('a DPO run: rl dpo with the pairs rendered once for both targets, and a TRL DPO script with the run\'s beta', async () => {
  const s = scratch();
  try {
    const run = makeRun(s.dir, { data: 'preference.jsonl', stage: 'dpo', template: { ref: 'chatml', spec: { preset: 'chatml' } }, config: { dpoBeta: 0.25, dpoLoss: 'ipo', dpoLabelSmoothing: 0 } });
    const ax = await exportFiles(run, { to: 'axolotl', baseModel: 'x/y' });
    const cfg = parseYaml(ax.files.get('axolotl.yml')!);
    assert.equal(cfg.rl, 'ipo');
    assert.equal(cfg.rl_beta, 0.25);
    assert.equal(cfg.sample_packing, undefined, 'no packing for pairs');
    const [ds] = cfg.datasets as Obj[];
    assert.equal(ds.path, 'data/train.pairs.jsonl');
    assert.equal(ds.split, 'train');
    const pairs = ax.files.get('data/train.pairs.jsonl')!.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(pairs.length, readFileSync(join(s.dir, 'preference.jsonl'), 'utf8').trim().split('\n').length);
    assert.deepEqual(pairs[0], {
      prompt: '<|im_start|>user\nConvert -20 °C to Fahrenheit.<|im_end|>\n<|im_start|>assistant\n',
      chosen: '-20 °C × 9/5 + 32 = -4 °F.<|im_end|>\n',
      rejected: '-20 °C is 20.9 °F.<|im_end|>\n',
    });
    const trl = await exportFiles(run, { to: 'trl', baseModel: 'x/y' });
    const py = trl.files.get('train_trl.py')!;
    assert.match(py, /from trl import DPOConfig, DPOTrainer/);
    assert.match(py, /^ {4}beta=0\.25,$/m);
    assert.match(py, /^ {4}loss_type="ipo",$/m);
    assert.doesNotMatch(py, /SFTTrainer|completion_only_loss/);
  } finally {
    s.done();
  }
});

test('records the run left out (rejected in review, invalid) are left out of the export too', async () => {
  const s = scratch();
  try {
    const lines = [
      '{"instruction":"a","output":"1"}',
      '{"instruction":"b","output":"2","review":{"status":"rejected"}}',
      '{"instruction":"c","output":"3","review":{"status":"accepted"}}',
      '{"instruction":"d"}',
    ];
    const run = makeRun(s.dir, { data: 'mini.jsonl', lines });
    const r = await exportFiles(run, { to: 'trl', baseModel: 'x/y' });
    assert.equal(r.files.get('data/train.jsonl'), [lines[0], lines[2]].join('\n') + '\n');
    assert.equal(r.files.get('data/train.rendered.jsonl')!.trim().split('\n').length, 2);
    assert.ok(r.warnings.some((w) => /left out 2 record/.test(w)), r.warnings.join('\n'));
  } finally {
    s.done();
  }
});

test('TRL: the script compiles with Python and carries the run\'s settings under TRL\'s argument names', async (t) => {
  const s = scratch();
  try {
    const run = makeRun(s.dir, { data: 'alpaca.jsonl', template: { ref: 'alpaca', spec: { preset: 'alpaca' } }, config: { lora: true, loraR: 4, loraAlpha: 8, loraDropout: 0, loraTargets: '' } });
    const out = join(s.dir, 'trl');
    const r = await writeExport(run, out, { to: 'trl', baseModel: 'meta-llama/Llama-3.2-1B' });
    const py = readFileSync(join(out, 'train_trl.py'), 'utf8');
    const arg = (k: string) => new RegExp(`^ {4}${k}=(.*),$`, 'm').exec(py)?.[1];
    assert.equal(arg('learning_rate'), '0.001');
    assert.equal(arg('lr_scheduler_type'), '"cosine_with_min_lr"');
    assert.equal(arg('lr_scheduler_kwargs'), '{"min_lr_rate": 0.1}');
    assert.equal(arg('warmup_steps'), '20');
    assert.equal(arg('max_steps'), '400');
    assert.equal(arg('per_device_train_batch_size'), '8');
    assert.equal(arg('gradient_accumulation_steps'), '2');
    assert.equal(arg('max_length'), '256');
    assert.equal(arg('packing'), 'True');
    assert.equal(arg('completion_only_loss'), 'True');
    assert.equal(arg('optim'), '"adamw_torch"');
    assert.equal(arg('seed'), '7');
    assert.equal(arg('r'), '4');
    assert.equal(arg('target_modules'), '["q_proj", "k_proj", "v_proj", "o_proj"]');
    assert.match(py, /BASE_MODEL = os\.environ\.get\("BASE_MODEL"\) or "meta-llama\/Llama-3\.2-1B"/);
    assert.match(py, /TEMPLATE_BOS = "<s>"/, "the alpaca preset's BOS, which rendered prompts start with");
    // Every data file the script loads is in the export.
    for (const m of py.matchAll(/data_file\("([^"]+)"\)/g)) assert.ok(existsSync(join(out, m[1])), m[1]);
    for (const f of ['accelerate_multi_gpu.yaml', 'accelerate_deepspeed_zero2.yaml']) {
      const acc = parseYaml(readFileSync(join(out, f), 'utf8'));
      assert.equal(acc.num_processes, 8);
      if (f.includes('deepspeed')) {
        assert.equal(acc.distributed_type, 'DEEPSPEED');
        assert.ok(existsSync(join(out, (acc.deepspeed_config as Obj).deepspeed_config_file as string)));
      } else {
        assert.equal(acc.distributed_type, 'MULTI_GPU');
        assert.equal(acc.mixed_precision, 'bf16');
      }
    }
    assert.match(r.files.get('README.md')!, /accelerate launch --config_file accelerate_deepspeed_zero2\.yaml --num_processes 8 train_trl\.py/);
    if (!existsSync(PYTHON)) {
      t.skip(`${PYTHON} is not installed: the script was not compiled`);
      return;
    }
    const res = spawnSync(PYTHON, ['-m', 'py_compile', join(out, 'train_trl.py')], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
  } finally {
    s.done();
  }
});

test('the base model: the built-in model gets a loud placeholder, an HF folder its path, a builtin checkpoint no silent id', async () => {
  const s = scratch();
  try {
    const run = makeRun(s.dir, { data: 'alpaca.jsonl' });
    const tiny = await exportFiles(run, { to: 'axolotl' });
    assert.equal(parseYaml(tiny.files.get('axolotl.yml')!).base_model, 'CHOOSE_A_BASE_MODEL');
    assert.match(tiny.files.get('axolotl.yml')!, /no Hugging Face equivalent/);
    assert.ok(tiny.warnings.some((w) => /no base model/.test(w)));
    const trl = await exportFiles(run, { to: 'trl' });
    assert.match(trl.files.get('train_trl.py')!, /if BASE_MODEL == "CHOOSE_A_BASE_MODEL":\n {4}raise SystemExit/);

    const hf = join(s.dir, 'SmolLM-135M');
    mkdirSync(hf);
    writeFileSync(join(hf, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', _name_or_path: 'HuggingFaceTB/SmolLM-135M' }));
    const run2 = makeRun(join(s.dir), { data: 'alpaca.jsonl', model: hf });
    const fromFolder = await exportFiles(run2, { to: 'axolotl' });
    assert.equal(parseYaml(fromFolder.files.get('axolotl.yml')!).base_model, hf);

    // A chat run that rendered with the base model's own template names it as the tokenizer's default.
    const tmpl = "{% for m in messages %}{{ '<' + m.role + '>' + m.content + '</s>' }}{% endfor %}";
    const run4 = makeRun(s.dir, { data: 'chat.jsonl', model: hf, template: { ref: join(hf, 'tokenizer_config.json'), spec: { template: tmpl, templateName: 'tokenizer_config.json[chat_template]' } } });
    const own = parseYaml((await exportFiles(run4, { to: 'axolotl' })).files.get('axolotl.yml')!);
    assert.equal(own.chat_template, 'tokenizer_default');
    assert.equal(own.chat_template_jinja, undefined);
    assert.match(fromFolder.files.get('axolotl.yml')!, /HuggingFaceTB\/SmolLM-135M/);

    const ck = join(s.dir, 'older-run', 'checkpoint');
    mkdirSync(ck, { recursive: true });
    writeFileSync(join(ck, 'config.json'), JSON.stringify({ model_type: 'instruct-studio-gpt', n_embd: 128 }));
    const run3 = makeRun(s.dir, { data: 'alpaca.jsonl', model: join(s.dir, 'older-run') });
    assert.equal(parseYaml((await exportFiles(run3, { to: 'axolotl' })).files.get('axolotl.yml')!).base_model, 'CHOOSE_A_BASE_MODEL');
  } finally {
    s.done();
  }
});

test('CLI: export-run writes the folder, refuses a non-empty one without --force, and names what is wrong', async () => {
  const s = scratch();
  try {
    makeRun(s.dir, { data: 'alpaca.jsonl' });
    const ok = await cli(s.dir, 'export-run', 'run', '--to', 'trl', '-o', 'out', '--base-model', 'x/y');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /train_trl\.py/);
    assert.ok(existsSync(join(s.dir, 'out', 'train_trl.py')));
    const again = await cli(s.dir, 'export-run', 'run', '--to', 'trl', '-o', 'out');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists and is not empty.*--force/);
    assert.equal((await cli(s.dir, 'export-run', 'run', '--to', 'trl', '-o', 'out', '--force', '--base-model', 'x/y')).code, 0);
    const bad = await cli(s.dir, 'export-run', 'run', '--to', 'megatron', '-o', 'o2');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--to must be axolotl or trl/);
    const noRun = await cli(s.dir, 'export-run', 'nowhere', '--to', 'axolotl', '-o', 'o3');
    assert.equal(noRun.code, 2);
    assert.match(noRun.stderr, /nowhere: not a run folder \(no run\.json\)/);
  } finally {
    s.done();
  }
});
