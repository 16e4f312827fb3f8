import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, readdirSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { saveCheckpoint, loadCheckpoint, existingCheckpointDir, CheckpointError } from '../../../src/trainer/checkpoint';
import { DEFAULT_CONFIG, gptConfigOf } from '../../../src/trainer/config';
import { TaskSampler } from '../../../src/trainer/sampler';
import { tempDir } from './helpers';

const tokenizer = new ByteTokenizer();
const model = gptConfigOf(DEFAULT_CONFIG, tokenizer.vocabSize);

function fixture(step: number, fill: number) {
  const w = { shape: [2, 3], data: Float32Array.from({ length: 6 }, (_, i) => fill + i / 8) };
  const b = { shape: [3], data: Float32Array.from([fill, -fill, 0.5]) };
  return {
    model, tokenizer,
    params: { 'h.0.w': w, 'h.0.b': b },
    optimizer: { step, m: { 'h.0.w': { shape: [2, 3], data: new Float32Array(6).fill(0.1 * fill) }, 'h.0.b': { shape: [3], data: new Float32Array(3).fill(0.2) } }, v: { 'h.0.w': { shape: [2, 3], data: new Float32Array(6).fill(0.3) }, 'h.0.b': { shape: [3], data: new Float32Array(3).fill(0.4) } } },
    state: { step, totalSteps: 100, config: DEFAULT_CONFIG, sampler: TaskSampler.create(new Map([['t', [0, 1, 2]]]), {}, 1).getState(), bestEvalLoss: 1.5, bestStep: 3, evalsWithoutImprovement: 1, elapsedSeconds: 12.5, tokensSeen: 4096 },
  };
}

test('a checkpoint round-trips weights, optimizer moments and the training state', (t) => {
  const dir = join(tempDir(t), 'checkpoint');
  saveCheckpoint(dir, fixture(7, 2));
  assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors', 'optimizer.safetensors', 'tokenizer.json', 'training_state.json']);
  const ck = loadCheckpoint(dir);
  assert.deepEqual(ck.params['h.0.w'].data, fixture(7, 2).params['h.0.w'].data);
  assert.deepEqual(ck.model, { ...model, layerNormEps: 1e-5 });
  assert.equal(ck.optimizer!.step, 7);
  assert.deepEqual(ck.optimizer!.v['h.0.b'].data, new Float32Array(3).fill(0.4));
  assert.equal(ck.state!.step, 7);
  assert.deepEqual(ck.state!.sampler, fixture(7, 2).state.sampler);
  assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).n_embd, 128);
});

test('saving over a checkpoint replaces it whole and leaves no temp folders', (t) => {
  const root = tempDir(t);
  const dir = join(root, 'checkpoint');
  saveCheckpoint(dir, fixture(1, 1));
  saveCheckpoint(dir, fixture(2, 5));
  assert.equal(loadCheckpoint(dir).state!.step, 2);
  assert.deepEqual(readdirSync(root), ['checkpoint']);
});

test('a crash between the two renames of a save is recovered from the previous checkpoint', (t) => {
  const root = tempDir(t);
  const dir = join(root, 'checkpoint');
  saveCheckpoint(dir, fixture(4, 1));
  renameSync(dir, `${dir}.old`);
  mkdirSync(`${dir}.tmp-999`);
  assert.equal(existingCheckpointDir(dir), `${dir}.old`);
  assert.equal(loadCheckpoint(existingCheckpointDir(dir)!).state!.step, 4);
});

test('a save that fails midway leaves the previous checkpoint intact', (t) => {
  const dir = join(tempDir(t), 'checkpoint');
  saveCheckpoint(dir, fixture(3, 1));
  const broken = fixture(9, 2);
  broken.params['h.0.w'] = { shape: [5], data: new Float32Array(2) };
  assert.throws(() => saveCheckpoint(dir, broken), /holds 5 values/);
  assert.equal(loadCheckpoint(dir).state!.step, 3);
});

test('truncated, corrupted or missing files give an error naming the file', (t) => {
  const dir = join(tempDir(t), 'checkpoint');
  const model = join(dir, 'model.safetensors');
  const fresh = () => saveCheckpoint(dir, fixture(3, 1));

  fresh();
  const bytes = readFileSync(model);
  writeFileSync(model, bytes.subarray(0, bytes.length - 10));
  assert.throws(() => loadCheckpoint(dir), (e: unknown) => e instanceof CheckpointError && e.message.includes(model) && /truncated|past the end/.test(e.message));

  fresh();
  const flipped = Buffer.from(readFileSync(model));
  flipped[flipped.length - 3] ^= 0xff;
  writeFileSync(model, flipped);
  assert.throws(() => loadCheckpoint(dir), (e: unknown) => e instanceof CheckpointError && e.message.includes(model) && /SHA-256/.test(e.message));

  fresh();
  writeFileSync(join(dir, 'training_state.json'), '{"step": 3, ');
  assert.throws(() => loadCheckpoint(dir), new RegExp(`${join(dir, 'training_state.json').replace(/[.\\/]/g, '\\$&')}: corrupt JSON`));

  fresh();
  writeFileSync(join(dir, 'training_state.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'training_state.json'), 'utf8')), sampler: 'x' }));
  assert.throws(() => loadCheckpoint(dir), /training_state\.json: field "sampler" is missing or malformed/);

  fresh();
  writeFileSync(join(dir, 'optimizer.safetensors'), Buffer.alloc(4));
  assert.throws(() => loadCheckpoint(dir), /optimizer\.safetensors: truncated/);
  assert.ok(loadCheckpoint(dir, { withOptimizer: false }).params['h.0.w']);

  fresh();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'falcon' }));
  assert.throws(() => loadCheckpoint(dir), /config\.json: model_type: "falcon" is not a supported architecture/);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama' }));
  assert.throws(() => loadCheckpoint(dir), /config\.json: num_attention_heads: "num_attention_heads" is missing/);

  fresh();
  const cfgPath = join(dir, 'config.json');
  writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(readFileSync(cfgPath, 'utf8')), n_layer: 0 }));
  assert.throws(() => loadCheckpoint(dir), /config\.json: field "n_layer" must be a positive integer/);

  fresh();
  rmSync(model);
  assert.throws(() => loadCheckpoint(dir), /model\.safetensors: missing/);
  assert.ok(existsSync(join(dir, 'training_state.json')), 'loading never deletes anything');
});
