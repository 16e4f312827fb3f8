// A LoRA run through the training loop: checkpoints are PEFT adapter folders (names, config fields, no base
// weights), the random built-in base is saved once, resume is exact, and --model on the run loads base + adapters.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import { train, type TrainHooks } from '../../../src/trainer/train';
import { readMetrics } from '../../../src/trainer/runFolder';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import { loadAdapterCheckpoint } from '../../../src/trainer/adapterCheckpoint';
import { loadModel } from '../../../src/trainer/loadModel';
import { decodeSafetensors } from '../../../src/core/safetensors';
import type { ChildToParent, MetricsRow, TrainRequest } from '../../../src/shared/protocol/trainer';
import { testRenderer, tempDir, toyRecords, writeJsonl } from './helpers';

const SMALL = { dModel: 32, nLayers: 2, nHeads: 2, contextLength: 48, batchSize: 4, threads: 1, warmupSteps: 2, logEvery: 1, exactMatchSamples: 0, maxNewTokens: 8, evalEvery: 0 };

function hooks(messages: ChildToParent[], stopAfterStep = Infinity): TrainHooks {
  let step = 0;
  return {
    emit: (m) => { messages.push(m); if (m.type === 'progress') step = m.step; },
    stopRequested: () => step >= stopAfterStep,
    createEngine: (o) => createEngine(o),
    renderer: testRenderer,
  };
}

function request(dir: string, overrides: TrainRequest['overrides'], model = 'scratch'): TrainRequest {
  const data = writeJsonl(join(dir, 'train.jsonl'), toyRecords(40));
  const evalFile = writeJsonl(join(dir, 'eval.jsonl'), toyRecords(6, 5));
  return { data, eval: evalFile, out: join(dir, 'run'), model, resume: true, skipInvalid: false, includeRejected: false, overrides: { ...SMALL, ...overrides } };
}

const trainRows = (out: string) => readMetrics(out).filter((r): r is MetricsRow => !('split' in r));

test('a LoRA run saves PEFT adapter folders, never the base weights, and logs what trains', async (t) => {
  const messages: ChildToParent[] = [];
  const req = request(tempDir(t), { steps: 4, lr: 1e-2, lora: true, loraR: 4, loraAlpha: 8, loraTargets: 'c_attn,c_fc' });
  await train(req, hooks(messages));
  const ck = join(req.out, 'checkpoint');
  assert.deepEqual(readdirSync(ck).sort(), ['adapter_config.json', 'adapter_model.safetensors', 'optimizer.safetensors', 'training_state.json']);
  const config = JSON.parse(readFileSync(join(ck, 'adapter_config.json'), 'utf8'));
  assert.equal(config.peft_type, 'LORA');
  assert.equal(config.task_type, 'CAUSAL_LM');
  assert.equal(config.r, 4);
  assert.equal(config.lora_alpha, 8);
  assert.equal(config.lora_dropout, 0);
  assert.deepEqual(config.target_modules, ['c_attn', 'c_fc']);
  assert.equal(config.bias, 'none');
  assert.equal(config.fan_in_fan_out, true);
  assert.equal(config.inference_mode, false);
  // The random built-in base is saved once in the run, and the adapters name it.
  assert.equal(config.base_model_name_or_path, join(req.out, 'base'));
  assert.ok(existsSync(join(req.out, 'base', 'model.safetensors')));
  const keys = [...decodeSafetensors(readFileSync(join(ck, 'adapter_model.safetensors'))).tensors.keys()].sort();
  assert.deepEqual(keys, [0, 1].flatMap((i) => ['attn.c_attn', 'mlp.c_fc'].flatMap((m) => ['A', 'B'].map((w) => `base_model.model.transformer.h.${i}.${m}.lora_${w}.weight`))).sort());
  const best = JSON.parse(readFileSync(join(req.out, 'best', 'adapter_config.json'), 'utf8'));
  assert.equal(best.inference_mode, true);
  const logs = messages.flatMap((m) => (m.type === 'log' ? [m.message] : []));
  // r·(in + out) per module: c_attn 4·(32 + 96), c_fc 4·(32 + 128), two layers
  const trainable = 2 * (4 * (32 + 96) + 4 * (32 + 128));
  assert.ok(logs.some((l) => l.startsWith(`LoRA r=4 alpha=8 on c_attn, c_fc: ${trainable.toLocaleString('en')} trainable of `)), logs.join('\n'));
  // The base in base/ is bit-identical to the base inside the merged checkpoint (only adapters trained).
  const merged = loadCheckpoint(ck);
  const base = loadCheckpoint(join(req.out, 'base'));
  for (const [name, a] of Object.entries(base.params)) {
    if (/c_attn\.weight|c_fc\.weight/.test(name)) assert.notDeepEqual(merged.params[name].data, a.data, name);
    else assert.deepEqual(merged.params[name].data, a.data, name);
  }
});

test('a LoRA run resumes at the exact step: loss curve and adapters equal the uninterrupted run', async (t) => {
  const overrides = { steps: 8, lr: 1e-2, checkpointEvery: 1000, lora: true };
  const a = request(tempDir(t), overrides);
  const b = request(tempDir(t), overrides);
  await train(a, hooks([]));
  const stopped = await train(b, hooks([], 3));
  assert.equal(stopped.status, 'stopped');
  assert.equal(loadAdapterCheckpoint(join(b.out, 'checkpoint')).state!.step, 3);
  await train(b, hooks([]));
  const curve = (out: string) => trainRows(out).map((r) => [r.step, r.loss, r.lr, r.grad_norm]);
  assert.equal(curve(b.out).length, 8);
  assert.deepEqual(curve(b.out), curve(a.out));
  const wa = loadAdapterCheckpoint(join(a.out, 'checkpoint'));
  const wb = loadAdapterCheckpoint(join(b.out, 'checkpoint'));
  assert.deepEqual(wb.adapter, wa.adapter);
  assert.equal(wa.adapter.optimizer!.step, 8);
});

test('--model on a LoRA run loads base + adapters; a base that moved is an error naming the field', async (t) => {
  const req = request(tempDir(t), { steps: 3, lr: 2e-2, lora: true });
  await train(req, hooks([]));
  const loaded = await loadModel(req.out, 1);
  const ck = loadAdapterCheckpoint(join(req.out, 'best'));
  const engine = await createEngine({ config: ck.base.model, seed: 0, threads: 1, params: ck.base.params, lora: { r: 8, alpha: 16, dropout: 0, targets: ['c_attn'] } });
  await engine.setAdapterState(ck.adapter);
  const seq = [[1, 40, 41, 42]];
  assert.deepEqual(await loaded.engine.nextTokenLogits(seq), await engine.nextTokenLogits(seq));
  await Promise.all([loaded.engine.dispose(), engine.dispose()]);
  // A LoRA run on top of that run's base folder names that folder directly.
  const next = { ...request(tempDir(t), { steps: 1, lora: true }, join(req.out, 'base')) };
  await train(next, hooks([]));
  assert.equal(JSON.parse(readFileSync(join(next.out, 'checkpoint', 'adapter_config.json'), 'utf8')).base_model_name_or_path, join(req.out, 'base'));
  // Pointing at nothing (and outside a run folder) fails naming the file and field.
  const cfgFile = join(next.out, 'checkpoint', 'adapter_config.json');
  writeFileSync(cfgFile, JSON.stringify({ ...JSON.parse(readFileSync(cfgFile, 'utf8')), base_model_name_or_path: '/nowhere/base' }));
  writeFileSync(join(next.out, 'run.json'), '{}');
  assert.throws(() => loadCheckpoint(join(next.out, 'checkpoint')), /adapter_config.json: field "base_model_name_or_path" names "\/nowhere\/base"/);
});

test('DPO with LoRA: adapters only, PEFT checkpoints, exact resume; the reference is the base model', async (t) => {
  const words = ['cat', 'dog', 'sun', 'map', 'red', 'box'];
  const prefs = words.map((w) => ({ prompt: `Reverse: ${w}\n`, chosen: [...w].reverse().join(''), rejected: w }));
  const dpo = (dir: string): TrainRequest => {
    const data = writeJsonl(join(dir, 'prefs.jsonl'), prefs);
    return { stage: 'dpo', data, eval: data, out: join(dir, 'run'), model: 'scratch', resume: true, skipInvalid: false, includeRejected: false, overrides: { ...SMALL, steps: 6, lr: 1e-2, checkpointEvery: 1000, lora: true, loraTargets: 'c_attn,c_proj' } };
  };
  const a = dpo(tempDir(t));
  const b = dpo(tempDir(t));
  const messages: ChildToParent[] = [];
  await train(a, hooks(messages));
  assert.ok(messages.some((m) => m.type === 'log' && m.message.startsWith('LoRA r=8 alpha=16 on c_attn, c_proj:')));
  assert.equal(JSON.parse(readFileSync(join(a.out, 'checkpoint', 'adapter_config.json'), 'utf8')).base_model_name_or_path, join(a.out, 'base'));
  assert.equal((await train(b, hooks([], 3))).status, 'stopped');
  await train(b, hooks([]));
  const curve = (out: string) => trainRows(out).map((r) => [r.step, r.loss, r.grad_norm, r['rewards/margins']]);
  assert.equal(curve(b.out).length, 6);
  assert.deepEqual(curve(b.out), curve(a.out));
  assert.deepEqual(loadAdapterCheckpoint(join(b.out, 'checkpoint')).adapter, loadAdapterCheckpoint(join(a.out, 'checkpoint')).adapter);
  const merged = loadCheckpoint(join(a.out, 'checkpoint'));
  const base = loadCheckpoint(join(a.out, 'base'));
  for (const [name, w] of Object.entries(base.params)) if (!/attn\.c_attn\.weight|c_proj\.weight/.test(name)) assert.deepEqual(merged.params[name].data, w.data, name);
});
