import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunConfig, RunConfigError } from '../../../src/core/runs/runConfig';

const file = '/work/proj/exp/first.instruct.json';

test('paths resolve against the config file folder; defaults fill the rest', () => {
  const c = parseRunConfig(JSON.stringify({ data: '../data/train.jsonl', out: 'runs/a', training: { lr: 0.001, steps: 50, taskWeights: { add: 2 } } }), file);
  assert.equal(c.data, '/work/proj/data/train.jsonl');
  assert.equal(c.out, '/work/proj/exp/runs/a');
  assert.equal(c.model, 'tiny');
  assert.equal(c.preset, 'standard');
  assert.equal(c.stage, 'sft');
  assert.equal(c.skipInvalid, false);
  assert.deepEqual(c.training, { lr: 0.001, steps: 50, taskWeights: { add: 2 } });
});

test('mistakes name the file and the field', () => {
  const bad = (o: unknown, field: RegExp) => assert.throws(() => parseRunConfig(JSON.stringify(o), file), (e: unknown) => e instanceof RunConfigError && field.test(e.message) && e.message.startsWith(file));
  bad({ out: 'x' }, /"data" is required/);
  bad({ data: 'd', out: 'x', lr: 0.1 }, /"lr" is not a run setting/);
  bad({ data: 'd', out: 'x', preset: 'fast' }, /"preset" must be one of "quick", "standard"/);
  bad({ data: 'd', out: 'x', evalFraction: 1.5 }, /"evalFraction" must be a number in \[0, 1\)/);
  bad({ data: 'd', out: 'x', training: { lr: '0.1' } }, /"training.lr" must be a number/);
  assert.throws(() => parseRunConfig('{"data": ', file), /is not valid JSON/);
});

test('template: a preset name stays as written, a path resolves against the config file folder', () => {
  const t = (template: unknown) => parseRunConfig(JSON.stringify({ data: 'd', out: 'o', template }), file).template;
  assert.equal(parseRunConfig(JSON.stringify({ data: 'd', out: 'o' }), file).template, undefined);
  assert.equal(t('chatml'), 'chatml');
  assert.equal(t('llama-3'), 'llama-3');
  assert.equal(t('templates/mine.jinja'), '/work/proj/exp/templates/mine.jinja');
  assert.equal(t('../models/base/tokenizer_config.json#tool_use'), '/work/proj/models/base/tokenizer_config.json#tool_use');
  assert.equal(t('/abs/chat_template.jinja'), '/abs/chat_template.jinja');
  // not a preset: a folder beside the config (the trainer says "no such file, and not a preset" if it is not there)
  assert.equal(t('chatml2'), '/work/proj/exp/chatml2');
  for (const v of [5, '', '  ']) {
    assert.throws(() => t(v), (e: unknown) => e instanceof RunConfigError && e.message.startsWith(`${file}: "template" must be a preset name or a path`));
  }
});

test('LoRA settings pass through a run config; a string is accepted only for a text setting', () => {
  const c = parseRunConfig(JSON.stringify({ data: 'd.jsonl', out: 'runs/x', training: { lora: true, loraR: 4, loraAlpha: 8, loraTargets: 'c_attn,c_proj' } }), '/w/a.instruct.json');
  assert.deepEqual(c.training, { lora: true, loraR: 4, loraAlpha: 8, loraTargets: 'c_attn,c_proj' });
  assert.throws(() => parseRunConfig(JSON.stringify({ data: 'd', out: 'x', training: { loraR: '4' } }), '/w/a.instruct.json'), /"training.loraR" must be a number/);
});
