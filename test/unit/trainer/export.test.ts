// `export` of a LoRA run: merged into a Hugging Face model folder (weights = W0 + (alpha/r)·BA, files that parse and
// name what exists, a tokenizer.json that `tokenizers` reads to the built-in ids), or as a PEFT adapter folder whose
// base is an HF folder beside it; a non-empty output is refused without --force.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HfLibTokenizer } from '@huggingface/tokenizers';
import { createEngine } from '../../../src/trainer/engine';
import { train } from '../../../src/trainer/train';
import { loadAdapterCheckpoint } from '../../../src/trainer/adapterCheckpoint';
import { loadModel } from '../../../src/trainer/loadModel';
import { rendererOf } from '../../../src/trainer/template';
import { decodeSafetensors, toFloat32 } from '../../../src/core/safetensors';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { describeModelFolder } from '../../../src/core/modelFolder/describe';
import type { NamedArrays } from '../../../src/trainer/engine/types';
import { cli } from '../cli/run';
import { testRenderer, tempDir, toyRecords, writeJsonl } from './helpers';

const HF_FIXTURE = join(__dirname, '../../fixtures/hf/gpt2-tiny');

async function loraRun(dir: string): Promise<string> {
  const out = join(dir, 'run');
  await train({
    data: writeJsonl(join(dir, 'train.jsonl'), toyRecords(30)), eval: writeJsonl(join(dir, 'eval.jsonl'), toyRecords(4, 5)), out, model: 'scratch',
    resume: true, skipInvalid: false, includeRejected: false, template: 'chatml',
    overrides: { dModel: 32, nLayers: 1, nHeads: 2, contextLength: 96, batchSize: 4, threads: 1, steps: 3, lr: 3e-2, evalEvery: 0, exactMatchSamples: 0, lora: true, loraR: 4, loraAlpha: 8, loraTargets: 'c_attn,c_fc' },
  }, { emit: () => undefined, stopRequested: () => false, createEngine: (o) => createEngine(o), renderer: testRenderer });
  return out;
}

function tensors(file: string): NamedArrays {
  const out: NamedArrays = {};
  for (const [k, t] of decodeSafetensors(readFileSync(file)).tensors) out[k] = { shape: t.shape, data: toFloat32(t) };
  return out;
}

test('export --merge: a GPT-2 folder whose weights are base + (alpha/r)·BA and give the adapted model\'s logits', async (t) => {
  const dir = tempDir(t);
  const run = await loraRun(dir);
  const r = await cli(dir, 'export', '--checkpoint', 'run', '--merge', '-o', 'merged');
  assert.equal(r.code, 0, r.stderr);
  const out = join(dir, 'merged');
  assert.deepEqual(readdirSync(out).sort(), ['chat_template.jinja', 'config.json', 'generation_config.json', 'model.safetensors', 'special_tokens_map.json', 'template.json', 'tokenizer.json', 'tokenizer_config.json']);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual([config.model_type, config.architectures[0], config.n_embd, config.n_layer, config.n_head, config.vocab_size], ['gpt2', 'GPT2LMHeadModel', 32, 1, 2, 263]);
  const w = tensors(join(out, 'model.safetensors'));
  assert.ok(!('lm_head.weight' in w), 'a tied head is not stored');
  // By hand: W = W0 + s·(B·A)ᵀ for the Conv1D layout, s = alpha/r = 2.
  const ck = loadAdapterCheckpoint(join(run, 'best'));
  const A = ck.adapter.weights['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight'].data; // [4, 32]
  const B = ck.adapter.weights['base_model.model.transformer.h.0.attn.c_attn.lora_B.weight'].data; // [96, 4]
  const W0 = ck.base.params['h.0.attn.c_attn.weight'].data; // [32, 96]
  const W = w['transformer.h.0.attn.c_attn.weight'];
  assert.deepEqual(W.shape, [32, 96]);
  let maxErr = 0;
  let maxDelta = 0;
  for (const [i, o] of [[0, 0], [5, 17], [31, 95], [12, 64]]) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += B[o * 4 + k] * A[k * 32 + i];
    maxErr = Math.max(maxErr, Math.abs(W.data[i * 96 + o] - (W0[i * 96 + o] + 2 * s)));
    maxDelta = Math.max(maxDelta, Math.abs(2 * s));
  }
  assert.ok(maxDelta > 1e-4 && maxErr < 1e-6, `delta ${maxDelta}, error ${maxErr}`);
  assert.deepEqual(w['transformer.h.0.attn.c_proj.weight'].data, ck.base.params['h.0.attn.c_proj.weight'].data, 'untargeted weights are the base\'s');
  // The merged weights, run by the engine, give the logits of base + adapters.
  const params: NamedArrays = {};
  for (const [k, v] of Object.entries(w)) params[k.replace(/^transformer\./, '')] = v;
  const merged = await createEngine({ config: ck.base.model, seed: 0, threads: 1, params });
  const adapted = await loadModel(run, 1);
  const seq = [[257, 60, 61, 62, 63]];
  assert.deepEqual(await merged.nextTokenLogits(seq), await adapted.engine.nextTokenLogits(seq));
  await Promise.all([merged.dispose(), adapted.engine.dispose()]);
  // Tokenizer: `tokenizers` reads tokenizer.json to the built-in tokenizer's ids, special tokens included.
  const hf = new HfLibTokenizer(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8')));
  const text = '<|user|>Héllo wörld ✓ 12\n\t<|end|><|assistant|>ok<|eos|>';
  assert.deepEqual(hf.encode(text, { add_special_tokens: false }).ids, new ByteTokenizer().encode(text).ids);
  assert.equal(hf.decode(new ByteTokenizer().encode('Héllo ✓').ids), 'Héllo ✓');
  const tc = JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8'));
  assert.equal(tc.eos_token, '<|eos|>');
  assert.equal(tc.chat_template, readFileSync(join(out, 'chat_template.jinja'), 'utf8'));
  assert.match(tc.chat_template, /<\|im_start\|>/, 'the template the run trained with (chatml)');
  const byte = new ByteTokenizer();
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'generation_config.json'), 'utf8')), { bos_token_id: byte.bosId ?? null, eos_token_id: byte.eosId, pad_token_id: byte.padId });
  // The folder is a Hugging Face model this product loads back too, to the same logits.
  assert.deepEqual(describeModelFolder(out).problems, []);
  const back = await loadModel(out, 1);
  const again = await loadModel(run, 1);
  assert.equal(back.tokenizer.name, 'huggingface');
  assert.deepEqual(back.tokenizer.encode('Héllo<|eos|>').ids, byte.encode('Héllo<|eos|>').ids);
  assert.deepEqual(await back.engine.nextTokenLogits(seq), await again.engine.nextTokenLogits(seq));
  await Promise.all([back.engine.dispose(), again.engine.dispose()]);
});

test('export --merge of a LoRA run on a Hugging Face model: its config and tokenizer files kept, the merged weights load back', async (t) => {
  const dir = tempDir(t);
  const model = join(dir, 'gpt2-chat');
  cpSync(HF_FIXTURE, model, { recursive: true });
  const template = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% if m['role'] == 'assistant' %}{{ eos_token }}{% else %}\n{% endif %}{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}";
  writeFileSync(join(model, 'chat_template.jinja'), template);
  const words = ['red', 'blue', 'green', 'the fox', 'hello'];
  const records = Array.from({ length: 16 }, (_, i) => ({ messages: [{ role: 'user', content: `say ${words[i % 5]}` }, { role: 'assistant', content: words[i % 5] }] }));
  const run = join(dir, 'run');
  await train({
    data: writeJsonl(join(dir, 'train.jsonl'), records), out: run, model, resume: true, skipInvalid: false, includeRejected: false,
    overrides: { steps: 3, lr: 3e-2, batchSize: 4, threads: 1, evalEvery: 0, exactMatchSamples: 0, lora: true, loraR: 4, loraAlpha: 8 },
  }, { emit: () => undefined, stopRequested: () => false, createEngine: (o) => createEngine(o), renderer: testRenderer });
  const r = await cli(dir, 'export', '--checkpoint', 'run', '--merge', '-o', 'merged', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).kind, 'merged');
  const out = join(dir, 'merged');
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual([config.model_type, config.eos_token_id, config.transformers_version], ['gpt2', 299, '4.44.0'], 'the source config.json\'s fields are kept');
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'chat_template.jinja']) {
    assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(model, f), 'utf8'), f);
  }
  assert.deepEqual(describeModelFolder(out).problems, []);
  const merged = await loadModel(out, 1);
  const adapted = await loadModel(run, 1);
  const base = await loadModel(model, 1);
  const seq = [merged.tokenizer.encode('user: say red').ids];
  const logits = await merged.engine.nextTokenLogits(seq);
  assert.deepEqual(logits, await adapted.engine.nextTokenLogits(seq));
  assert.notDeepEqual(logits, await base.engine.nextTokenLogits(seq), 'the adapters changed the model');
  await Promise.all([merged.engine.dispose(), adapted.engine.dispose(), base.engine.dispose()]);
});

test('an exported model renders instruction records as its run was trained (template.json), not through the chat form', async (t) => {
  // Found by loading an export with transformers: the folder carried only the chat form of the byte-level template,
  // so generating from it here rendered alpaca records as <|user|> turns the model had never been trained on.
  const dir = tempDir(t);
  const run = join(dir, 'run');
  await train({
    data: writeJsonl(join(dir, 'train.jsonl'), toyRecords(12)), out: run, model: 'scratch', resume: true, skipInvalid: false, includeRejected: false,
    overrides: { dModel: 32, nLayers: 1, nHeads: 2, contextLength: 96, batchSize: 4, threads: 1, steps: 2, evalEvery: 0, exactMatchSamples: 0 },
  }, { emit: () => undefined, stopRequested: () => false, createEngine: (o) => createEngine(o), renderer: testRenderer });
  const r = await cli(dir, 'export', '--checkpoint', 'run', '-o', 'hf');
  assert.equal(r.code, 0, r.stderr);
  const record = { instruction: 'Reverse the word.', input: 'cat' };
  const trained = await loadModel(run, 1);
  const exported = await loadModel(join(dir, 'hf'), 1);
  const prompt = rendererOf(exported.template).renderPrompt(record);
  assert.equal(prompt, rendererOf(trained.template).renderPrompt(record));
  // The byte-level preset renders an instruction record as the turns of its chat form, so transformers, reading
  // only chat_template.jinja, prompts the exported model as it was trained; template.json names the whole template
  // (it matters for templates whose forms differ, e.g. alpaca).
  assert.equal(prompt, '<|bos|><|user|>Reverse the word.\n\ncat<|end|><|assistant|>');
  assert.match(readFileSync(join(dir, 'hf', 'chat_template.jinja'), 'utf8'), /<\|user\|>/);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'hf', 'template.json'), 'utf8')), { ref: 'byte-level', spec: { preset: 'byte-level' } });
  await Promise.all([trained.engine.dispose(), exported.engine.dispose()]);
});

test('export without --merge: a PEFT adapter folder in inference mode, its base an HF folder that exists', async (t) => {
  const dir = tempDir(t);
  await loraRun(dir);
  const r = await cli(dir, 'export', '--checkpoint', 'run/checkpoint', '-o', 'adapter', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = join(dir, 'adapter');
  assert.equal(JSON.parse(r.stdout).kind, 'adapter');
  const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
  assert.equal(config.inference_mode, true);
  assert.equal(config.base_model_name_or_path, join(out, 'base'));
  assert.deepEqual(config.target_modules, ['c_attn', 'c_fc']);
  assert.ok(existsSync(join(config.base_model_name_or_path, 'model.safetensors')));
  assert.equal(JSON.parse(readFileSync(join(out, 'base', 'config.json'), 'utf8')).model_type, 'gpt2');
  const keys = Object.keys(tensors(join(out, 'adapter_model.safetensors'))).sort();
  assert.deepEqual(keys, ['attn.c_attn', 'mlp.c_fc'].flatMap((m) => ['A', 'B'].map((x) => `base_model.model.transformer.h.0.${m}.lora_${x}.weight`)));
  assert.deepEqual(readdirSync(out).sort(), ['adapter_config.json', 'adapter_model.safetensors', 'base', 'template.json']);
  assert.equal(JSON.parse(readFileSync(join(out, 'template.json'), 'utf8')).ref, 'chatml', 'the run\'s template, not the base\'s byte-level');
  const loaded = await loadModel(out, 1);
  assert.equal(loaded.template?.ref, 'chatml');
  await loaded.engine.dispose();
});

test('a non-empty output folder is refused without --force; bad arguments are usage errors', async (t) => {
  const dir = tempDir(t);
  await loraRun(dir);
  mkdirSync(join(dir, 'taken'));
  writeFileSync(join(dir, 'taken', 'mine.txt'), 'keep');
  const refused = await cli(dir, 'export', '--checkpoint', 'run', '--merge', '-o', 'taken');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /taken: is not empty; choose another folder or pass --force \(nothing was written\)/);
  assert.deepEqual(readdirSync(join(dir, 'taken')), ['mine.txt']);
  const forced = await cli(dir, 'export', '--checkpoint', 'run', '--merge', '-o', 'taken', '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(readFileSync(join(dir, 'taken', 'mine.txt'), 'utf8'), 'keep');
  assert.equal((await cli(dir, 'export', '--checkpoint', 'run')).code, 2);
  const missing = await cli(dir, 'export', '--checkpoint', 'nowhere', '-o', 'x');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nowhere: no such model folder/);
});
