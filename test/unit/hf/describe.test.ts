// describeModelFolder on folders the tests write: configs of each supported family, the refusals (naming file and
// field), shards, dtype and parameter count from headers only, tokenizer files, templates, adapters, pickles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeModelFolder } from '../../../src/core/modelFolder/describe';
import { encodeSafetensors } from '../../../src/core/safetensors';
import type { ModelFolderInfo } from '../../../src/core/modelFolder/types';
import { getPreset } from '../../../src/core/template';

const FIX = join(__dirname, '../../fixtures/hf');

function folder(files: Record<string, unknown>): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'describe-'));
  mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(files)) writeFileSync(join(dir, name), v instanceof Uint8Array ? v : typeof v === 'string' ? v : JSON.stringify(v));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const fields = (info: ModelFolderInfo) => info.problems.map((p) => `${p.file}#${p.field ?? ''}`);

/** Safetensors of zeros with these shapes (describe reads only the header). */
function weights(shapes: Record<string, number[]>): Uint8Array {
  return encodeSafetensors(Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, { shape: s, data: new Float32Array(s.reduce((a, b) => a * b, 1)) }])));
}

function llamaShapes(L: number, D: number, F: number, V: number, H: number, KV: number, hd: number, bias = false, tied = true): Record<string, number[]> {
  const s: Record<string, number[]> = { 'model.embed_tokens.weight': [V, D], 'model.norm.weight': [D] };
  for (let i = 0; i < L; i++) {
    const p = `model.layers.${i}.`;
    Object.assign(s, {
      [p + 'input_layernorm.weight']: [D], [p + 'post_attention_layernorm.weight']: [D],
      [p + 'self_attn.q_proj.weight']: [H * hd, D], [p + 'self_attn.k_proj.weight']: [KV * hd, D], [p + 'self_attn.v_proj.weight']: [KV * hd, D],
      [p + 'self_attn.o_proj.weight']: [D, H * hd], [p + 'mlp.gate_proj.weight']: [F, D], [p + 'mlp.up_proj.weight']: [F, D], [p + 'mlp.down_proj.weight']: [D, F],
    });
    if (bias) Object.assign(s, { [p + 'self_attn.q_proj.bias']: [H * hd], [p + 'self_attn.k_proj.bias']: [KV * hd], [p + 'self_attn.v_proj.bias']: [KV * hd] });
  }
  if (!tied) s['lm_head.weight'] = [V, D];
  return s;
}

const TOKENIZER = { version: '1.0', added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, model: { type: 'BPE', vocab: { a: 0 }, merges: [] } };

test('the GPT-2 fixture: config, dtype, parameters and tokenizer from headers and JSON', () => {
  const info = describeModelFolder(join(FIX, 'gpt2-tiny'));
  assert.deepEqual(info.problems, []);
  assert.equal(info.kind, 'huggingface');
  assert.equal(info.architectureName, 'GPT2LMHeadModel');
  assert.equal(info.modelType, 'gpt2');
  assert.equal(info.dtype, 'F32');
  // wte 300×16 + wpe 32×16 + 2 layers × (4·16 LN + 16·48+48 + 16·16+16 + 16·64+64 + 64·16+16) + 2·16 final LN
  assert.equal(info.parameterCount, 300 * 16 + 32 * 16 + 2 * (64 + 816 + 272 + 1088 + 1040) + 32);
  assert.equal(info.contextLength, 32);
  assert.equal(info.vocabSize, 300);
  assert.deepEqual(info.weightFiles, ['model.safetensors']);
  assert.deepEqual(info.tokenizer, { kind: 'huggingface', file: 'tokenizer.json' });
  assert.deepEqual(info.specialTokens, { bos: '<|endoftext|>', eos: '<|endoftext|>', unk: '<|endoftext|>' });
  assert.equal(info.chatTemplate, null);
  assert.deepEqual(info.generationConfig?.eos_token_id, 299);
  const half = describeModelFolder(join(FIX, 'gpt2-tiny-bf16'));
  assert.equal(half.dtype, 'BF16');
  assert.equal(half.parameterCount, info.parameterCount);
  const sharded = describeModelFolder(join(FIX, 'gpt2-tiny-sharded'));
  assert.deepEqual(sharded.problems, []);
  assert.equal(sharded.parameterCount, info.parameterCount, 'the attn.bias buffers are not parameters');
  assert.equal(sharded.weightFiles.length, 2);
});

test('Llama, Qwen2 and Mistral configs map to LlamaConfig (GQA, head_dim, rope_scaling, biases, tying, sliding window)', () => {
  const base = { architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 1, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128, rms_norm_eps: 1e-5, rope_theta: 500000, tie_word_embeddings: true, rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } };
  const a = folder({ 'config.json': base, 'model.safetensors': weights(llamaShapes(1, 8, 16, 1, 4, 2, 2)), 'tokenizer.json': TOKENIZER, 'chat_template.jinja': '{{ messages }}', 'tokenizer_config.json': { eos_token: 'a', chat_template: 'ignored' } });
  try {
    const info = describeModelFolder(a.dir);
    assert.deepEqual(info.problems, []);
    assert.deepEqual(info.config, {
      architecture: 'llama', vocabSize: 1, contextLength: 128, dModel: 8, nLayers: 1, nHeads: 4, nKvHeads: 2, headDim: 2, dFF: 16, rmsNormEps: 1e-5, ropeTheta: 500000,
      ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 }, attentionBias: false, tieEmbeddings: true,
    });
    assert.equal(info.chatTemplate, '{{ messages }}', 'chat_template.jinja wins over tokenizer_config.json');
  } finally { a.done(); }
  const qwen = { ...base, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', rope_scaling: null, use_sliding_window: false, sliding_window: 32, tie_word_embeddings: false, head_dim: 4 };
  const q = folder({ 'config.json': qwen, 'model.safetensors': weights(llamaShapes(1, 8, 16, 1, 4, 2, 4, true, false)), 'tokenizer.json': TOKENIZER, 'tokenizer_config.json': { eos_token: 'a', chat_template: [{ name: 'tool_use', template: 'T' }, { name: 'default', template: 'D' }] } });
  try {
    const info = describeModelFolder(q.dir);
    assert.deepEqual(info.problems, []);
    assert.equal(info.architectureName, 'Qwen2ForCausalLM');
    assert.ok(info.config && info.config.architecture === 'llama' && info.config.attentionBias && !info.config.tieEmbeddings && info.config.headDim === 4);
    assert.equal(info.contextLength, 128, 'use_sliding_window false: the window does not apply');
    assert.equal(info.chatTemplate, 'D');
  } finally { q.done(); }
  const m = folder({ 'config.json': { ...base, architectures: ['MistralForCausalLM'], model_type: 'mistral', sliding_window: 64, rope_scaling: null }, 'model.safetensors': weights(llamaShapes(1, 8, 16, 1, 4, 2, 2)), 'tokenizer.json': TOKENIZER });
  try {
    assert.equal(describeModelFolder(m.dir).contextLength, 64, 'context capped at the sliding window, where full attention is exact');
  } finally { m.done(); }
});

test('unsupported settings are refused naming config.json and the field', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ model_type: 'gpt2', activation_function: 'relu' }, 'config.json#activation_function'],
    [{ model_type: 'llama', hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 4, vocab_size: 4, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'config.json#rope_scaling.rope_type'],
    [{ model_type: 'llama', hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 4, vocab_size: 4, num_key_value_heads: 3 }, 'config.json#num_key_value_heads'],
    [{ model_type: 'falcon', architectures: ['FalconForCausalLM'] }, 'config.json#model_type'],
    [{ model_type: 'llama', hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 4, vocab_size: 4 }, 'config.json#intermediate_size'],
  ];
  for (const [cfg, want] of cases) {
    const f = folder({ 'config.json': cfg, 'tokenizer.json': TOKENIZER, 'model.safetensors': weights({ x: [1] }) });
    try {
      const info = describeModelFolder(f.dir);
      assert.ok(fields(info).includes(want), `${JSON.stringify(cfg)} → ${JSON.stringify(info.problems)}`);
      assert.equal(info.config, null);
    } finally { f.done(); }
  }
});

test('weights: pickle refused with a pointer to safetensors, missing / misshapen tensors named, shard index checked', () => {
  const cfg = JSON.parse(JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 4, n_positions: 4, n_embd: 4, n_layer: 1, n_head: 1 }));
  const p = folder({ 'config.json': cfg, 'pytorch_model.bin': 'PK', 'tokenizer.json': TOKENIZER });
  try {
    const info = describeModelFolder(p.dir);
    const pr = info.problems.find((x) => x.file === 'pytorch_model.bin');
    assert.ok(pr && /pickle/.test(pr.message) && /safetensors/.test(pr.message));
  } finally { p.done(); }
  const w = folder({ 'config.json': cfg, 'tokenizer.json': TOKENIZER, 'model.safetensors': weights({ 'transformer.wte.weight': [4, 5] }) });
  try {
    const info = describeModelFolder(w.dir);
    assert.ok(fields(info).includes('model.safetensors#transformer.wte.weight'), JSON.stringify(info.problems));
    assert.ok(info.problems.some((x) => /missing tensors "wpe.weight"/.test(x.message)));
  } finally { w.done(); }
  const s = folder({ 'config.json': cfg, 'tokenizer.json': TOKENIZER, 'model.safetensors.index.json': { weight_map: { 'wte.weight': 'model-00001-of-00002.safetensors', 'wpe.weight': 'model-00002-of-00002.safetensors' } }, 'model-00001-of-00002.safetensors': weights({ 'wte.weight': [4, 4] }) });
  try {
    const info = describeModelFolder(s.dir);
    assert.ok(info.problems.some((x) => x.file === 'model-00002-of-00002.safetensors' && /missing/.test(x.message)), JSON.stringify(info.problems));
  } finally { s.done(); }
  const t = folder({ 'config.json': cfg, 'model.safetensors': weights({}) });
  try {
    assert.ok(fields(describeModelFolder(t.dir)).includes('tokenizer.json#'));
  } finally { t.done(); }
});

test('a PEFT adapter folder, a built-in checkpoint, and a folder that is not a model', () => {
  const a = folder({ 'adapter_config.json': { peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj', 'v_proj'], base_model_name_or_path: 'HuggingFaceTB/SmolLM2-135M' }, 'adapter_model.safetensors': weights({ 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight': [8, 4] }) });
  try {
    const info = describeModelFolder(a.dir);
    assert.deepEqual(info.problems, []);
    assert.deepEqual(info.adapter, { baseModel: 'HuggingFaceTB/SmolLM2-135M', r: 8, alpha: 16, targetModules: ['q_proj', 'v_proj'] });
    assert.equal(info.parameterCount, 32);
  } finally { a.done(); }
  const b = mkdtempSync(join(tmpdir(), 'describe-'));
  try {
    cpSync(join(FIX, 'gpt2-tiny', 'model.safetensors'), join(b, 'model.safetensors'));
    writeFileSync(join(b, 'config.json'), JSON.stringify({ model_type: 'instruct-studio-gpt', vocab_size: 300, n_positions: 32, n_embd: 16, n_layer: 2, n_head: 4, n_inner: 64, layer_norm_epsilon: 1e-5, tie_word_embeddings: true }));
    writeFileSync(join(b, 'tokenizer.json'), JSON.stringify({ type: 'byte-level', eos_token: '<|eos|>' }));
    const info = describeModelFolder(b);
    assert.deepEqual(info.problems, []);
    assert.equal(info.kind, 'builtin');
    assert.deepEqual(info.tokenizer, { kind: 'byte-level', file: 'tokenizer.json' });
    assert.equal(info.specialTokens.eos, '<|eos|>');
    assert.equal(info.chatTemplate, null);
    writeFileSync(join(b, 'template.json'), JSON.stringify({ ref: 'chatml', spec: { preset: 'chatml' } }));
    assert.equal(describeModelFolder(b).chatTemplate, getPreset('chatml').templates.chat, "a checkpoint's template.json");
  } finally { rmSync(b, { recursive: true, force: true }); }
  const e = folder({ 'readme.txt': 'hi' });
  try {
    assert.deepEqual(fields(describeModelFolder(e.dir)), ['config.json#', 'model.safetensors#']);
  } finally { e.done(); }
});
