// config.json → LlamaConfig: the fields transformers writes for Llama, Qwen2 and Mistral, their defaults, and a
// clear error naming the file and field for what the engine would compute differently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLlamaFamily, llamaConfigFromHf, llamaConfigToHf } from '../../../src/trainer/engine/llamaConfig';
import { ropeInverseFrequencies } from '../../../src/trainer/engine/llamaOps';
import { loadLlamaFixture } from './llamaFixtures';

test('the fixtures\' config.json files map to the configs their weights were made for', () => {
  assert.deepEqual(loadLlamaFixture('llama-llama3-gqa').config, {
    architecture: 'llama', vocabSize: 96, contextLength: 1024, dModel: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 8, dFF: 48,
    rmsNormEps: 1e-5, ropeTheta: 10000,
    ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 128 },
    attentionBias: false, tieEmbeddings: false,
  });
  const qwen = loadLlamaFixture('llama-qwen2-tied-bias').config;
  assert.equal(qwen.attentionBias, true, 'Qwen2 always has q/k/v biases');
  assert.equal(qwen.tieEmbeddings, true);
  assert.equal(qwen.nKvHeads, 1);
  assert.equal(qwen.ropeScaling, null);
  const old = loadLlamaFixture('llama-linear-mha').config;
  assert.deepEqual(old.ropeScaling, { type: 'linear', factor: 2 }, 'the old "type" key');
  assert.equal(old.headDim, 8, 'head_dim absent: hidden_size / num_attention_heads');
});

const BASE = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 100, hidden_size: 64, num_hidden_layers: 2,
  num_attention_heads: 8, intermediate_size: 128,
};

test('defaults follow the transformers config classes; Mistral and Qwen2 sliding windows cap the context', () => {
  const c = llamaConfigFromHf(BASE, 'config.json');
  assert.equal(c.nKvHeads, 8);
  assert.equal(c.headDim, 8);
  assert.equal(c.contextLength, 2048);
  assert.equal(c.rmsNormEps, 1e-6);
  assert.equal(c.ropeTheta, 10000);
  assert.equal(c.tieEmbeddings, false);
  const mistral = llamaConfigFromHf({ ...BASE, architectures: ['MistralForCausalLM'], model_type: 'mistral', max_position_embeddings: 32768, sliding_window: 4096, head_dim: null }, 'config.json');
  assert.equal(mistral.contextLength, 4096);
  assert.equal(mistral.headDim, 8);
  const qwen = llamaConfigFromHf({ ...BASE, model_type: 'qwen2', max_position_embeddings: 32768, sliding_window: 4096, use_sliding_window: false }, 'config.json');
  assert.equal(qwen.contextLength, 32768, 'Qwen2 uses the window only with use_sliding_window');
  const v5 = llamaConfigFromHf({ ...BASE, rope_parameters: { rope_type: 'linear', factor: 4, rope_theta: 500000 } }, 'config.json');
  assert.equal(v5.ropeTheta, 500000);
  assert.deepEqual(v5.ropeScaling, { type: 'linear', factor: 4 });
  assert.ok(isLlamaFamily(BASE));
  assert.ok(!isLlamaFamily({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }));
});

test('what the engine cannot compute like transformers is refused, naming the file and field', () => {
  const f = 'models/x/config.json';
  assert.throws(() => llamaConfigFromHf({ ...BASE, model_type: 'gemma' }, f), /models\/x\/config\.json: "model_type" is "gemma": supported are llama, qwen2, mistral/);
  assert.throws(() => llamaConfigFromHf({ ...BASE, hidden_act: 'gelu' }, f), /"hidden_act" is "gelu": only "silu"/);
  assert.throws(() => llamaConfigFromHf({ ...BASE, rope_scaling: { rope_type: 'yarn', factor: 4 } }, f), /"rope_scaling\.rope_type" is "yarn"/);
  assert.throws(() => llamaConfigFromHf({ ...BASE, rope_scaling: { rope_type: 'llama3', factor: 8 } }, f), /"rope_scaling\.low_freq_factor" must be a positive number/);
  assert.throws(() => llamaConfigFromHf({ ...BASE, attention_bias: true }, f), /"attention_bias" is true/);
  assert.throws(() => llamaConfigFromHf({ ...BASE, intermediate_size: undefined }, f), /"intermediate_size" is missing/);
  assert.throws(() => llamaConfigFromHf({ ...BASE, num_key_value_heads: 3 }, f), /config\.json: "num_key_value_heads" must divide the number of attention heads \(8\), got 3/);
});

test('RoPE frequencies: llama3 keeps short wavelengths, slows long ones by the factor, interpolates between', () => {
  const base = { headDim: 8, ropeTheta: 10000 };
  const plain = ropeInverseFrequencies({ ...base, ropeScaling: null });
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.abs(b);
  [1, 0.1, 0.01, 0.001].forEach((x, i) => assert.ok(close(plain[i], x), `${plain[i]} vs ${x}`));
  const l3 = ropeInverseFrequencies({ ...base, ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 128 } });
  assert.ok(close(l3[0], 1), 'wavelength 6.3 < 32: kept');
  const smooth = (128 / (2 * Math.PI / 0.1) - 1) / 3;
  assert.ok(close(l3[1], (1 - smooth) * 0.1 / 8 + smooth * 0.1), 'wavelength 63 in [32, 128]: interpolated');
  assert.ok(close(l3[2], 0.01 / 8) && close(l3[3], 0.001 / 8), 'wavelength > 128: divided by the factor');
  const linear = ropeInverseFrequencies({ ...base, ropeScaling: { type: 'linear', factor: 2 } });
  plain.forEach((x, i) => assert.ok(close(linear[i], x / 2)));
});

test('llamaConfigToHf writes a config.json that reads back as the same config', () => {
  for (const name of ['llama-llama3-gqa', 'llama-qwen2-tied-bias', 'llama-linear-mha']) {
    const { config } = loadLlamaFixture(name);
    const json = llamaConfigToHf(config);
    assert.deepEqual(llamaConfigFromHf(JSON.parse(JSON.stringify(json)), 'config.json'), config, name);
  }
  assert.deepEqual(llamaConfigToHf(loadLlamaFixture('llama-qwen2-tied-bias').config).architectures, ['Qwen2ForCausalLM']);
});
