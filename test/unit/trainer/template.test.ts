// The trainer renders with the template the request names, saves it with every checkpoint, and resuming, generate
// and eval render with the saved one. The hooks' renderer (testRenderer) is only the fallback here: finding its
// markers where the template's belong means the request's template was ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import { train, type TrainHooks } from '../../../src/trainer/train';
import { readRunInfo } from '../../../src/trainer/runFolder';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import { loadRecords } from '../../../src/trainer/prepare';
import { createRenderer } from '../../../src/core/template';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { parseParentMessage, type ChildToParent, type TrainRequest } from '../../../src/shared/protocol/trainer';
import { main } from '../../../src/cli/main';
import { startTrainer } from '../../../src/trainer/client';
import { runEvaluation } from '../../../src/trainer/evaluation/evalRun';
import { testRenderer, tempDir, toyRecords, writeJsonl } from './helpers';

process.env.INSTRUCT_STUDIO_BACKEND = 'wasm';
// chatml prompts are ~50 bytes: a context of 96 keeps every response inside it.
const TINY = { dModel: 32, nLayers: 1, nHeads: 2, contextLength: 96, batchSize: 4, threads: 1, warmupSteps: 1, logEvery: 1, exactMatchSamples: 2, maxNewTokens: 4, evalEvery: 0 };
const chatml = createRenderer({ preset: 'chatml' });

function hooks(messages: ChildToParent[], stopAfterStep = Infinity): TrainHooks {
  let step = 0;
  return {
    emit: (m) => { messages.push(m); if (m.type === 'progress') step = m.step; },
    stopRequested: () => step >= stopAfterStep,
    createEngine: (o) => createEngine(o),
    renderer: testRenderer,
  };
}

function request(dir: string, extra: Partial<TrainRequest>, steps = 3): TrainRequest {
  const data = writeJsonl(join(dir, 'train.jsonl'), toyRecords(12));
  const evalFile = writeJsonl(join(dir, 'eval.jsonl'), toyRecords(2, 5));
  return { data, eval: evalFile, out: join(dir, 'run'), model: 'scratch', resume: true, skipInvalid: false, includeRejected: false, overrides: { ...TINY, steps }, ...extra };
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false, cwd: process.cwd() });
  return { code, stdout, stderr };
}

test('template "chatml": training and its evaluation render with it, the checkpoint and run.json save it, generate uses it', async (t) => {
  const dir = tempDir(t);
  const messages: ChildToParent[] = [];
  const req = request(dir, { template: 'chatml' });
  const outcome = await train(req, hooks(messages));
  assert.equal(outcome.status, 'finished');
  assert.equal(outcome.step, 3);
  // The in-training evaluation generated from chatml prompts, exactly as chatml renders the eval records.
  const samples = messages.flatMap((m) => (m.type === 'eval' ? m.samples : []));
  assert.ok(samples.length > 0, 'eval samples were generated');
  const evalRecords = toyRecords(2, 5);
  for (const s of samples) {
    assert.ok(s.prompt.startsWith('<|im_start|>user\n'), s.prompt);
    assert.ok(evalRecords.some((r) => chatml.renderPrompt(r) === s.prompt), s.prompt);
  }
  // What was trained on: the data the child prepared renders and masks as chatml, and differs from the fallback's.
  const prepared = await loadRecords(req.data, new ByteTokenizer(), chatml, { skipInvalid: false, includeRejected: false, maxTokens: 97 });
  assert.equal(prepared.items.length, 12);
  const fromFallback = await loadRecords(req.data, new ByteTokenizer(), testRenderer, { skipInvalid: false, includeRejected: false, maxTokens: 97 });
  assert.notDeepEqual(prepared.items[0].example, fromFallback.items[0].example);

  for (const sub of ['checkpoint', 'best']) {
    const saved = loadCheckpoint(join(req.out, sub), { withOptimizer: false }).template;
    assert.deepEqual(saved, { ref: 'chatml', spec: { preset: 'chatml' } }, sub);
  }
  assert.equal(readRunInfo(req.out)!.config.template, 'chatml');
  assert.ok(messages.some((m) => m.type === 'log' && m.message === 'template: chatml'));

  // generate renders with the checkpoint's template …
  const gen = await cli(['generate', '--model', req.out, '--prompt', 'Reverse the word.', '--input', 'cat', '--max-new-tokens', '2', '--json']);
  assert.equal(gen.code, 0, gen.stderr);
  assert.equal(JSON.parse(gen.stdout).prompt, chatml.renderPrompt({ instruction: 'Reverse the word.', input: 'cat', output: '' }));
  // … --template overrides it …
  const over = await cli(['generate', '--model', req.out, '--prompt', 'Reverse the word.', '--max-new-tokens', '2', '--json', '--template', 'alpaca']);
  assert.equal(over.code, 0, over.stderr);
  assert.match(JSON.parse(over.stdout).prompt, /### Instruction:/);
  const bad = await cli(['generate', '--model', req.out, '--prompt', 'x', '--template', join(dir, 'nope.jinja')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /nope\.jinja: no such file/);
  // … and a checkpoint from before templates were saved loads and renders with the default.
  rmSync(join(req.out, 'best', 'template.json'));
  assert.equal(loadCheckpoint(join(req.out, 'best'), { withOptimizer: false }).template, null);
  const old = await cli(['generate', '--model', join(req.out, 'best'), '--prompt', 'Reverse the word.', '--max-new-tokens', '2', '--json']);
  assert.equal(old.code, 0, old.stderr);
  assert.ok(!JSON.parse(old.stdout).prompt.includes('<|im_start|>'));
});

test('a resumed run keeps its saved template and refuses another one', async (t) => {
  const dir = tempDir(t);
  const first = await train(request(dir, { template: 'chatml' }, 4), hooks([], 2));
  assert.equal(first.status, 'stopped');
  await assert.rejects(train(request(dir, { template: 'alpaca' }, 4), hooks([])), /renders with template "chatml"; a resumed run keeps it/);
  const messages: ChildToParent[] = [];
  const resumed = await train(request(dir, {}, 4), hooks(messages));
  assert.equal(resumed.status, 'finished');
  const samples = messages.flatMap((m) => (m.type === 'eval' ? m.samples : []));
  assert.ok(samples.length > 0 && samples.every((s) => s.prompt.startsWith('<|im_start|>')));
  assert.equal(loadCheckpoint(join(dir, 'run', 'checkpoint')).template?.ref, 'chatml');
});

test('a .jinja template is saved with its source; a bad reference fails naming the file', async (t) => {
  const dir = tempDir(t);
  const jinja = join(dir, 'mine.jinja');
  const source = '{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}';
  writeFileSync(jinja, source);
  const req = request(dir, { template: jinja }, 1);
  const outcome = await train(req, hooks([]));
  assert.equal(outcome.status, 'finished');
  const saved = loadCheckpoint(join(req.out, 'checkpoint')).template!;
  assert.equal(saved.ref, jinja);
  assert.equal(saved.spec.template, source);
  assert.equal(JSON.parse(readFileSync(join(req.out, 'checkpoint', 'template.json'), 'utf8')).spec.template, source);

  const missing = join(dir, 'missing.jinja');
  await assert.rejects(train(request(dir, { out: join(dir, 'run2'), template: missing }), hooks([])), (e: Error) => e.message.includes(`${missing}: no such file`));
  const broken = join(dir, 'broken.jinja');
  writeFileSync(broken, '{% for m in messages %}{{ m.content }');
  await assert.rejects(train(request(dir, { out: join(dir, 'run3'), template: broken }), hooks([])), (e: Error) => e.message.startsWith(`${broken}:`));
});

test('the start message carries template as an optional string', () => {
  const base = { data: '/d', out: '/o', model: 'scratch', resume: false, skipInvalid: false, includeRejected: false, overrides: {} };
  const ok = parseParentMessage({ type: 'start', request: { ...base, template: 'chatml' } });
  assert.equal(ok.type === 'start' && ok.request.template, 'chatml');
  assert.doesNotThrow(() => parseParentMessage({ type: 'start', request: base }));
  assert.throws(() => parseParentMessage({ type: 'start', request: { ...base, template: 5 } }), /malformed field "request"/);
});

test('in the trainer child, a missing template fails the run as a usage error naming the file, before any step', async (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'templates', 'chat.jinja');
  const messages: ChildToParent[] = [];
  const run = startTrainer(request(dir, { template: missing }), (m) => messages.push(m), {
    trainerPath: resolve(__dirname, '../../../src/trainer/main.ts'),
    execArgv: ['--import', 'tsx'],
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), INSTRUCT_STUDIO_BACKEND: 'wasm' },
  });
  const result = await run.done;
  assert.equal(result.status, 'failed');
  assert.equal(result.status === 'failed' && result.code, 'usage');
  assert.ok(result.reason.includes(`${missing}: no such file, and not a preset`), result.reason);
  assert.ok(!messages.some((m) => m.type === 'progress'));
});

test('evaluation renders with the checkpoint\'s saved template unless the caller passes a renderer (eval --template)', async (t) => {
  const dir = tempDir(t);
  const req = request(dir, { template: 'chatml' }, 1);
  await train(req, hooks([]));
  const data = writeJsonl(join(dir, 'e.jsonl'), toyRecords(1, 3));
  const opts = { model: join(req.out, 'checkpoint'), data, maxNewTokens: 2, skipInvalid: false, bootstrap: false as const };
  const saved = await runEvaluation(opts, { threads: 1 });
  assert.equal(saved.generations[0].prompt, chatml.renderPrompt(toyRecords(1, 3)[0]));
  const overridden = await runEvaluation(opts, { threads: 1, renderer: testRenderer });
  assert.equal(overridden.generations[0].prompt, testRenderer.renderPrompt(toyRecords(1, 3)[0]));
});
