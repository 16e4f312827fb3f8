// The model folder hover / preview text and the Start Training model step, on ModelFolderInfo values built here
// (the description itself is describeModelFolder's, tested with it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelFolderInfo } from '../../../src/core/modelFolder/types';
import { formatBytes, formatCount, modelInfoMarkdown, modelInfoSummary } from '../../../src/host/modelInfo/modelInfoMarkdown';
import { BROWSE, checkModelFolder, modelDirOf, modelItems } from '../../../src/host/training/modelChoices';

const TEMPLATE = ['{% for message in messages %}', "{{ '<|im_start|>' + message['role'] }}", '{{ message.content }}', '<|im_end|>', '{% endfor %}', '{% if add_generation_prompt %}', '<|im_start|>assistant', '{% endif %}'].join('\n');

function smolLm(dir: string, patch: Partial<ModelFolderInfo> = {}): ModelFolderInfo {
  return {
    dir, kind: 'huggingface', architectureName: 'LlamaForCausalLM', modelType: 'llama', config: null, parameterCount: 134_515_008,
    contextLength: 2048, vocabSize: 49_152, dtype: 'BF16', weightFiles: ['model.safetensors'], weightBytes: 269_060_552,
    tokenizer: { kind: 'huggingface', file: 'tokenizer.json' }, chatTemplate: TEMPLATE,
    specialTokens: { bos: '<|im_start|>', eos: '<|im_end|>' }, generationConfig: { eos_token_id: 2, transformers_version: '4.40' }, adapter: null, problems: [],
    ...patch,
  };
}

test('the preview shows architecture, parameters, context, vocabulary, dtype, weight size, tokenizer and the template\'s first lines', () => {
  const md = modelInfoMarkdown(smolLm('/models/SmolLM-135M'), { templateLines: 6 });
  assert.match(md, /^### SmolLM-135M$/m);
  assert.match(md, /loads in Instruct Studio/);
  assert.match(md, /\| architecture \| LlamaForCausalLM \(`llama`\) \|/);
  assert.match(md, /\| parameters \| 134\.5 M \(134,515,008\) \|/);
  assert.match(md, /\| context length \| 2,048 tokens \|/);
  assert.match(md, /\| vocabulary \| 49,152 \|/);
  assert.match(md, /\| dtype \| BF16 \|/);
  assert.match(md, /\| weights \| 256\.6 MiB in model\.safetensors \|/);
  assert.match(md, /\| tokenizer \| Hugging Face \(tokenizer\.json\) \|/);
  assert.match(md, /\| special tokens \| bos `<\\?\|im_start\\?\|>`/);
  assert.match(md, /generation \| eos_token_id 2 \|/);
  assert.doesNotMatch(md, /transformers_version/);
  const block = /```jinja\n([\s\S]*?)\n```/.exec(md)![1];
  assert.equal(block, TEMPLATE.split('\n').slice(0, 6).join('\n'));
  assert.match(md, /… 2 more lines/);
});

test('a folder that cannot load says so first and lists every problem with its file and field', () => {
  const info = smolLm('/models/broken', {
    parameterCount: null, dtype: null, weightFiles: [], weightBytes: 0, chatTemplate: null,
    problems: [{ file: 'config.json', field: 'architectures', message: 'MambaForCausalLM is not supported' }, { file: 'pytorch_model.bin', message: 'pickle files are not loaded | use safetensors' }],
  });
  const md = modelInfoMarkdown(info);
  assert.match(md, /\*\*Cannot be loaded\*\* \(2 problems, below\)/);
  assert.match(md, /^- `config\.json: architectures`: MambaForCausalLM is not supported$/m);
  assert.match(md, /^- `pytorch_model\.bin`: pickle files are not loaded \| use safetensors$/m);
  assert.match(md, /No chat template/);
  assert.doesNotMatch(md, /\| parameters/);
  assert.equal(modelInfoSummary(info), 'cannot load: config.json architectures: MambaForCausalLM is not supported');
});

test('an adapter folder shows its rank, alpha, targets and base model; numbers are readable', () => {
  const md = modelInfoMarkdown(smolLm('/a', { architectureName: 'PEFT LoRA adapter', modelType: 'peft', adapter: { baseModel: 'HuggingFaceTB/SmolLM-135M', r: 8, alpha: 16, targetModules: ['q_proj', 'v_proj'] } }));
  assert.match(md, /\| LoRA adapter \| r 8, alpha 16, on q_proj, v_proj \|/);
  assert.match(md, /\| base model \| HuggingFaceTB\/SmolLM-135M \|/);
  assert.equal(formatCount(1_234), '1.2 k');
  assert.equal(formatCount(7_241_732_096), '7.24 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.00 GiB');
  assert.equal(modelInfoSummary(smolLm('/x')), 'LlamaForCausalLM · 134.5 M parameters · context 2048 · chat template');
});

test('the model step lists the built-in models first, recent folders that still exist with a summary, and Browse… last', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-pick-'));
  try {
    const hf = join(dir, 'SmolLM-135M');
    mkdirSync(hf);
    writeFileSync(join(hf, 'config.json'), '{}');
    const run = join(dir, 'runs', 'r1');
    mkdirSync(join(run, 'best'), { recursive: true });
    writeFileSync(join(run, 'best', 'config.json'), '{}');
    const described: string[] = [];
    const describe = (d: string) => { described.push(d); return smolLm(d); };
    const items = modelItems(['tiny', hf, join(dir, 'gone'), run], describe);
    assert.deepEqual(items.map((i) => i.value), ['tiny', 'scratch', hf, run, BROWSE]);
    assert.equal(items[0].label, 'Built-in tiny base model (pre-trained)');
    assert.match(items[1].label, /scratch/);
    assert.equal(items[2].detail, 'LlamaForCausalLM · 134.5 M parameters · context 2048 · chat template');
    assert.deepEqual(described, [hf, join(run, 'best')], 'a run folder is described by its best/ model');
    assert.equal(items[4].label, 'Browse…');
    assert.equal(modelDirOf(run), join(run, 'best'));

    const ok = checkModelFolder(hf, describe);
    assert.equal(ok.ok, true);
    const bad = checkModelFolder(hf, (d) => smolLm(d, { problems: [{ file: 'config.json', field: 'model_type', message: 'missing' }] }));
    assert.equal(bad.ok, false);
    assert.deepEqual(!bad.ok && bad.problems, ['config.json: model_type: missing']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
