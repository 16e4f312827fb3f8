// A Hugging Face GPT-2 folder through the engine against logits from a hand-written PyTorch GPT-2 forward
// (scripts/hf-fixtures/gpt2.py, which follows transformers' modeling_gpt2 step by step): every position, through
// the KV-cached generation path, from fp16 / bf16 / sharded files, and after a checkpoint round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, toFloat32 } from '../../../src/core/safetensors';
import { createEngine } from '../../../src/trainer/engine';
import type { Engine } from '../../../src/trainer/engine/types';
import { loadHfModelFolder } from '../../../src/trainer/hf/loadFolder';
import { loadCheckpoint, saveCheckpoint } from '../../../src/trainer/checkpoint';
import { generateIds } from '../../../src/trainer/generate';
import { createRenderer, getPreset } from '../../../src/core/template';

const FIX = join(__dirname, '../../fixtures/hf');
const ref = decodeSafetensors(readFileSync(join(FIX, 'gpt2-tiny-reference.safetensors')));
const refIds = Array.from(new Int32Array(toFloat32Like(ref.tensors.get('ids')!)));
const V = 300;
const refLogits = (name: string) => {
  const t = ref.tensors.get(name)!;
  const data = toFloat32(t);
  return Array.from({ length: t.shape[0] }, (_, i) => data.subarray(i * V, (i + 1) * V));
};
const PROMPT = Number(ref.metadata.prompt_length);

function toFloat32Like(t: { bytes: Uint8Array }): ArrayBuffer {
  return new Uint8Array(t.bytes).buffer;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function engineFor(dir: string): Promise<Engine> {
  const hf = loadHfModelFolder(join(FIX, dir));
  return createEngine({ config: hf.config, params: hf.params, seed: 0, threads: 1 });
}

/** Logits after each prefix of the reference ids, in one batched call. */
async function allPositions(engine: Engine, count = refIds.length): Promise<Float32Array[]> {
  const prefixes = Array.from({ length: count }, (_, i) => refIds.slice(0, refIds.length - count + i + 1));
  return engine.nextTokenLogits(prefixes);
}

test('the fixture tokenizer gives the reference ids; the config maps to a GPT-2 engine config', () => {
  const hf = loadHfModelFolder(join(FIX, 'gpt2-tiny'));
  assert.deepEqual(hf.tokenizer.encode('Hello world, the quick brown fox.<|endoftext|> It said').ids, refIds);
  assert.deepEqual(hf.config, { architecture: 'gpt2', vocabSize: 300, contextLength: 32, dModel: 16, nLayers: 2, nHeads: 4, dFF: 64, layerNormEps: 1e-5, tieEmbeddings: true });
  assert.ok(!('lm_head.weight' in hf.params) && !('transformer.wte.weight' in hf.params) && 'wte.weight' in hf.params);
});

test('fp32 GPT-2 logits equal the PyTorch reference within 1e-4 at every position', async () => {
  const engine = await engineFor('gpt2-tiny');
  try {
    const ours = await allPositions(engine);
    const theirs = refLogits('logits');
    let worst = 0;
    ours.forEach((l, i) => { worst = Math.max(worst, maxAbsDiff(l, theirs[i])); });
    assert.ok(worst < 1e-4, `max abs logit difference ${worst}`);
    console.log(`# gpt2-tiny fp32: max abs logit diff vs PyTorch ${worst.toExponential(2)}`);
  } finally {
    await engine.dispose();
  }
});

test('KV-cached generation gives the reference logits token by token, and greedy decoding the reference continuation', async () => {
  const engine = await engineFor('gpt2-tiny');
  try {
    const theirs = refLogits('logits');
    const session = await engine.startGeneration([refIds.slice(0, PROMPT)]);
    let worst = maxAbsDiff(session.logits[0], theirs[PROMPT - 1]);
    for (let t = PROMPT; t < refIds.length; t++) {
      const [l] = await session.step([0], [refIds[t]]);
      worst = Math.max(worst, maxAbsDiff(l, theirs[t]));
    }
    session.dispose();
    assert.ok(worst < 1e-4, `cached max abs diff ${worst}`);
    const greedy = Array.from(new Int32Array(toFloat32Like(ref.tensors.get('greedy')!)));
    const [out] = await generateIds(engine, [refIds.slice(0, PROMPT)], { maxNewTokens: greedy.length, temperature: 0, topK: 0, topP: 1, stopIds: [] }, 32);
    assert.deepEqual(out, greedy);
  } finally {
    await engine.dispose();
  }
});

for (const [dir, name] of [['gpt2-tiny-fp16', 'logits_fp16'], ['gpt2-tiny-bf16', 'logits_bf16']]) {
  test(`${dir}: weights widened to fp32 on load give the reference of the rounded weights, close to the fp32 model`, async () => {
    const engine = await engineFor(dir);
    try {
      const ours = await allPositions(engine, 3);
      const exact = refLogits(name);
      const full = refLogits('logits').slice(-3);
      ours.forEach((l, i) => {
        assert.ok(maxAbsDiff(l, exact[i]) < 1e-4, `vs the ${name} reference: ${maxAbsDiff(l, exact[i])}`);
        assert.ok(maxAbsDiff(l, full[i]) < (name === 'logits_bf16' ? 0.2 : 0.02), `vs fp32: ${maxAbsDiff(l, full[i])}`);
      });
    } finally {
      await engine.dispose();
    }
  });
}

test('a 2-shard folder without the transformer. prefix and with attn.bias buffers loads to the same logits', async () => {
  const a = loadHfModelFolder(join(FIX, 'gpt2-tiny'));
  const b = loadHfModelFolder(join(FIX, 'gpt2-tiny-sharded'));
  assert.deepEqual(b.info.weightFiles, ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  assert.deepEqual(Object.keys(b.params).sort(), Object.keys(a.params).sort());
  for (const k of Object.keys(a.params)) assert.deepEqual(b.params[k].data, a.params[k].data, k);
  const engine = await engineFor('gpt2-tiny-sharded');
  try {
    const [l] = await engine.nextTokenLogits([refIds]);
    assert.ok(maxAbsDiff(l, refLogits('logits').at(-1)!) < 1e-4);
  } finally {
    await engine.dispose();
  }
});

test('a checkpoint of a model from an HF folder is an HF folder (gpt2 config, transformer. names, tokenizer files) and loads back to the same logits', async () => {
  const hf = loadHfModelFolder(join(FIX, 'gpt2-tiny'));
  const dir = mkdtempSync(join(tmpdir(), 'hf-ck-'));
  try {
    saveCheckpoint(join(dir, 'ck'), { model: hf.config, tokenizer: hf.tokenizer, params: hf.params, optimizer: null, state: null, template: hf.template, source: hf.source });
    const cfg = JSON.parse(readFileSync(join(dir, 'ck', 'config.json'), 'utf8'));
    assert.equal(cfg.model_type, 'gpt2');
    assert.deepEqual(cfg.architectures, ['GPT2LMHeadModel']);
    assert.equal(cfg.n_embd, 16);
    assert.equal(cfg.eos_token_id, 299, 'fields of the original config.json are kept');
    const st = decodeSafetensors(readFileSync(join(dir, 'ck', 'model.safetensors')));
    assert.ok(st.tensors.has('transformer.h.0.attn.c_attn.weight') && st.tensors.has('transformer.wte.weight') && !st.tensors.has('lm_head.weight'));
    assert.equal(readFileSync(join(dir, 'ck', 'tokenizer.json'), 'utf8'), readFileSync(join(FIX, 'gpt2-tiny', 'tokenizer.json'), 'utf8'));
    assert.equal(readFileSync(join(dir, 'ck', 'tokenizer_config.json'), 'utf8'), readFileSync(join(FIX, 'gpt2-tiny', 'tokenizer_config.json'), 'utf8'));
    // No chat template in the folder: the run renders with the default preset but the model's own EOS, and the
    // checkpoint carries that template for transformers.
    assert.equal(hf.template.ref, 'byte-level');
    assert.ok(createRenderer(hf.template.spec).render({ prompt: 'a', completion: 'b' }).text.endsWith('b<|endoftext|>'));
    assert.ok(createRenderer(hf.template.spec).render({ instruction: 'a', input: '', output: 'b' }).text.endsWith('<|assistant|>b<|end|>'));
    assert.equal(readFileSync(join(dir, 'ck', 'chat_template.jinja'), 'utf8'), getPreset('byte-level').templates.chat);
    const back = loadCheckpoint(join(dir, 'ck'), { withOptimizer: false });
    assert.deepEqual(back.model, hf.config);
    assert.equal(back.tokenizer.name, 'huggingface');
    const engine = await createEngine({ config: back.model, params: back.params, seed: 0, threads: 1 });
    try {
      const [l] = await engine.nextTokenLogits([refIds]);
      assert.ok(maxAbsDiff(l, refLogits('logits').at(-1)!) < 1e-4);
    } finally {
      await engine.dispose();
    }
    // A flipped byte in the weights is caught by the hash recorded at save.
    const file = join(dir, 'ck', 'model.safetensors');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] ^= 0x40;
    writeFileSync(file, bytes);
    assert.throws(() => loadCheckpoint(join(dir, 'ck')), /model\.safetensors: corrupt: its SHA-256 differs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
