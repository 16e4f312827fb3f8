// Training from a Hugging Face folder: its tokenizer and chat template are the run's, its checkpoints are HF folders
// (gpt2 config.json, `transformer.` names, tokenizer files and template copied) that resume exactly and load back.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import { train, type TrainHooks } from '../../../src/trainer/train';
import { decodeSafetensors } from '../../../src/core/safetensors';
import { describeModelFolder } from '../../../src/core/modelFolder/describe';
import { loadModel } from '../../../src/trainer/loadModel';
import { loadHfModelFolder } from '../../../src/trainer/hf/loadFolder';
import { readRunInfo } from '../../../src/trainer/runFolder';
import type { ChildToParent, TrainRequest } from '../../../src/shared/protocol/trainer';
import { tempDir, testRenderer, writeJsonl } from '../trainer/helpers';

const FIX = join(__dirname, '../../fixtures/hf/gpt2-tiny');
const TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% if m['role'] == 'assistant' %}{{ eos_token }}{% else %}\n{% endif %}{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}";

function hooks(messages: ChildToParent[], stopAfterStep = Infinity): TrainHooks {
  let step = 0;
  return {
    emit: (m) => { messages.push(m); if (m.type === 'progress') step = m.step; },
    stopRequested: () => step >= stopAfterStep,
    createEngine: (o) => createEngine(o),
    // Must not be used: the model folder's own chat template is the default.
    renderer: testRenderer,
  };
}

test('train --model <HF folder>: its template and tokenizer; checkpoints are HF folders that resume and load back', async (t) => {
  const dir = tempDir(t);
  const model = join(dir, 'gpt2-chat');
  cpSync(FIX, model, { recursive: true });
  writeFileSync(join(model, 'chat_template.jinja'), TEMPLATE);
  const words = ['red', 'blue', 'green', 'the fox', 'hello'];
  const records = Array.from({ length: 24 }, (_, i) => ({ messages: [{ role: 'user', content: `say ${words[i % 5]}` }, { role: 'assistant', content: words[i % 5] }] }));
  const req: TrainRequest = {
    data: writeJsonl(join(dir, 'train.jsonl'), records), out: join(dir, 'run'), model, resume: true, skipInvalid: false, includeRejected: false,
    overrides: { steps: 8, lr: 1e-2, batchSize: 4, threads: 1, warmupSteps: 1, logEvery: 1, evalEvery: 0, evalFraction: 0.2, exactMatchSamples: 2, maxNewTokens: 4, checkpointEvery: 2 },
  };
  const first: ChildToParent[] = [];
  const stopped = await train(req, hooks(first, 4));
  assert.equal(stopped.status, 'stopped');
  const logs = first.filter((m) => m.type === 'log').map((m) => (m as { message: string }).message);
  assert.ok(logs.includes(`template: ${model}`), logs.join('\n'));
  assert.ok(logs.some((l) => /2 layers, d_model 16, 4 heads, context 32/.test(l)), logs.join('\n'));

  const ck = join(req.out, 'checkpoint');
  const cfg = JSON.parse(readFileSync(join(ck, 'config.json'), 'utf8'));
  assert.equal(cfg.model_type, 'gpt2');
  assert.equal(cfg.eos_token_id, 299);
  const names = [...decodeSafetensors(readFileSync(join(ck, 'model.safetensors'))).tensors.keys()];
  assert.ok(names.every((n) => n.startsWith('transformer.')), names.join(', '));
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'chat_template.jinja']) {
    assert.equal(readFileSync(join(ck, f), 'utf8'), readFileSync(join(model, f), 'utf8'), f);
  }
  const info = describeModelFolder(ck);
  assert.deepEqual(info.problems, []);
  assert.equal(info.architectureName, 'GPT2LMHeadModel');
  assert.equal(info.chatTemplate, TEMPLATE);

  // Resuming an HF checkpoint finishes the run; the weights moved away from the base model's.
  const second: ChildToParent[] = [];
  const done = await train(req, hooks(second));
  assert.equal(done.status, 'finished');
  assert.equal(done.step, 8);
  assert.equal(readRunInfo(req.out)!.status, 'finished');
  const base = loadHfModelFolder(model);
  const tuned = loadHfModelFolder(ck);
  assert.notDeepEqual(tuned.params['h.0.attn.c_attn.weight'].data, base.params['h.0.attn.c_attn.weight'].data);

  const loaded = await loadModel(req.out);
  try {
    assert.equal(loaded.tokenizer.name, 'huggingface');
    assert.equal(loaded.template?.ref, model, 'generate and eval render as training did');
    assert.equal(loaded.contextLength, 32);
    assert.deepEqual(loaded.generationConfig, { bos_token_id: 299, eos_token_id: 299, transformers_version: '4.44.0' });
  } finally {
    await loaded.engine.dispose();
  }
});
