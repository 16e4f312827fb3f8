// An adapter written the way PEFT writes one (scripts/hf-fixtures/peft_lora.py: key names, [r, in] / [out, r]
// shapes, target_modules suffix matching, fan_in_fan_out for GPT-2's Conv1D) loads onto its base and gives the
// logits of PEFT's own, unmerged LoRA forward computed in PyTorch — merged into the weights, and as engine adapters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import { loraOptionsOf } from '../../../src/trainer/adapterCheckpoint';
import { relativeError } from './helpers';

const FIXTURE = join(__dirname, '../../fixtures/peft/gpt2-lora');

test('a PEFT-format GPT-2 adapter gives PyTorch\'s PEFT logits within 1e-4, merged and unmerged', async () => {
  const ref = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as { sequences: number[][]; last_logits_with_adapter: number[][]; targeted_modules: string[] };
  const ck = loadCheckpoint(FIXTURE);
  assert.ok(ck.adapter, 'loaded as an adapter folder');
  assert.deepEqual(ck.adapter.settings.targets, ['c_attn', 'c_proj']);
  const merged = await createEngine({ config: ck.model, seed: 0, threads: 1, params: ck.params });
  const lora = await createEngine({ config: ck.model, seed: 0, threads: 1, params: ck.adapter.base.params, lora: loraOptionsOf(ck.adapter.settings) });
  await lora.setAdapterState(ck.adapter.adapter);
  const fromMerged = await merged.nextTokenLogits(ref.sequences);
  const fromAdapters = await lora.nextTokenLogits(ref.sequences);
  ref.sequences.forEach((_, i) => {
    const want = ref.last_logits_with_adapter[i];
    const maxAbs = (got: Float32Array) => Math.max(...want.map((w, j) => Math.abs(w - got[j])));
    assert.ok(maxAbs(fromMerged[i]) < 1e-4, `merged, sequence ${i}: max |Δ| ${maxAbs(fromMerged[i])}`);
    assert.ok(maxAbs(fromAdapters[i]) < 1e-4, `adapters, sequence ${i}: max |Δ| ${maxAbs(fromAdapters[i])}`);
  });
  // The adapters matter: without them the logits are clearly different.
  await lora.setAdaptersEnabled(false);
  const base = await lora.nextTokenLogits(ref.sequences);
  assert.ok(relativeError(base[0], ref.last_logits_with_adapter[0]) > 1e-2);
  await Promise.all([merged.dispose(), lora.dispose()]);
});
