// The Llama side of the loader without the engine: HF names and layouts kept, buffers and a tied lm_head skipped,
// shapes checked by tensor and file, bf16 widened; the config written back parses to the same LlamaConfig.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '../../../src/core/safetensors';
import { expectedTensors } from '../../../src/core/modelFolder/tensors';
import { parseModelConfigJson } from '../../../src/core/modelFolder/hfConfig';
import { loadHfWeights, HfWeightsError } from '../../../src/trainer/hf/weights';
import { hfConfigJson } from '../../../src/trainer/hf/hfConfigJson';
import { writeHfModelFolder } from '../../../src/trainer/hf/writeFolder';
import type { LlamaConfig, NamedArrays } from '../../../src/trainer/engine/types';

const CFG: LlamaConfig = {
  architecture: 'llama', vocabSize: 11, contextLength: 16, dModel: 8, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 2, dFF: 12,
  rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: { type: 'linear', factor: 2 }, attentionBias: true, tieEmbeddings: true,
};

function params(): NamedArrays {
  const out: NamedArrays = {};
  let k = 0;
  for (const [name, shape] of expectedTensors(CFG)) out[name] = { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (k++ % 13) / 8) };
  return out;
}

test('Llama weights keep their HF names; inv_freq and a tied lm_head are skipped; a wrong shape names tensor and file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llama-'));
  try {
    const p = params();
    const names = Object.keys(p);
    const extra = { 'model.layers.0.self_attn.rotary_emb.inv_freq': { shape: [1], data: Float32Array.of(1) }, 'lm_head.weight': p['model.embed_tokens.weight'] };
    const half = Math.floor(names.length / 2);
    writeFileSync(join(dir, 'a.safetensors'), encodeSafetensors(Object.fromEntries(names.slice(0, half).map((n) => [n, p[n]]))));
    writeFileSync(join(dir, 'b.safetensors'), encodeSafetensors({ ...Object.fromEntries(names.slice(half).map((n) => [n, p[n]])), ...extra }));
    const loaded = loadHfWeights(dir, ['a.safetensors', 'b.safetensors'], CFG);
    assert.deepEqual(Object.keys(loaded).sort(), [...names].sort());
    assert.deepEqual(loaded['model.layers.1.self_attn.k_proj.weight'], p['model.layers.1.self_attn.k_proj.weight']);
    assert.deepEqual(loaded['model.layers.1.self_attn.q_proj.bias'].shape, [8]);

    writeFileSync(join(dir, 'b.safetensors'), encodeSafetensors({ ...Object.fromEntries(names.slice(half).map((n) => [n, p[n]])), 'model.norm.weight': { shape: [4], data: new Float32Array(4) } }));
    assert.throws(() => loadHfWeights(dir, ['a.safetensors', 'b.safetensors'], CFG), (e: Error) => e instanceof HfWeightsError && e.message.includes(`${join(dir, 'b.safetensors')}: tensor "model.norm.weight" has shape [4], config.json implies [8]`));
    const whole = encodeSafetensors(Object.fromEntries(names.slice(half).map((n) => [n, p[n]])));
    writeFileSync(join(dir, 'b.safetensors'), whole.subarray(0, whole.length - 8));
    assert.throws(() => loadHfWeights(dir, ['a.safetensors', 'b.safetensors'], CFG), (e: Error) => e instanceof HfWeightsError && e.message.startsWith(`${join(dir, 'b.safetensors')}: tensor "`) && /truncated/.test(e.message));
    writeFileSync(join(dir, 'b.safetensors'), encodeSafetensors({}));
    assert.throws(() => loadHfWeights(dir, ['a.safetensors', 'b.safetensors'], CFG), /missing tensors "model\.layers\.\d+\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Llama config written back (with the base config.json kept) parses to the same LlamaConfig; qwen2 stays qwen2', () => {
  const base = { architectures: ['LlamaForCausalLM'], model_type: 'llama', bos_token_id: 1, eos_token_id: 2, max_position_embeddings: 16 };
  const json = hfConfigJson(CFG, base);
  assert.equal(json.bos_token_id, 1);
  assert.deepEqual(json.rope_scaling, { rope_type: 'linear', factor: 2 });
  assert.deepEqual(parseModelConfigJson(json).config, CFG);
  const qwen = hfConfigJson(CFG, { model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'] });
  assert.equal(qwen.model_type, 'qwen2');
  assert.ok(!('attention_bias' in qwen));
  assert.deepEqual(parseModelConfigJson(qwen).config, CFG);
  const l3 = { ...CFG, ropeScaling: { type: 'llama3' as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 } };
  assert.deepEqual(parseModelConfigJson(hfConfigJson(l3)).config, l3);
});

test('writeHfModelFolder: Llama names unchanged, files copied, chat_template.jinja written, hashes returned', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llama-w-'));
  try {
    const hashes = writeHfModelFolder(dir, { config: CFG, params: params(), baseConfig: { eos_token_id: 2 }, files: { 'tokenizer.json': '{"model":{}}' }, chatTemplate: '{{ messages }}' });
    assert.deepEqual(Object.keys(hashes).sort(), ['chat_template.jinja', 'model.safetensors', 'tokenizer.json']);
    assert.equal(readFileSync(join(dir, 'chat_template.jinja'), 'utf8'), '{{ messages }}');
    const loaded = loadHfWeights(dir, ['model.safetensors'], CFG);
    assert.deepEqual(loaded['model.layers.0.mlp.down_proj.weight'], params()['model.layers.0.mlp.down_proj.weight']);
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).eos_token_id, 2);
    assert.throws(() => writeHfModelFolder(dir, { config: CFG, params: params(), files: { '../x': '' } }), /cannot copy a file named/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
