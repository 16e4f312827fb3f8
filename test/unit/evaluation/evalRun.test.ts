// The evaluation runner and `instruct-studio eval` on a tiny model trained in the test: the runner's numbers are
// checked against independent computations (the trainer's packed evaluation loss, the metrics core on the saved
// generations, a fresh random-init engine for `--base scratch`), and the saved files against the shared validators.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { aggregate, type EvalRecord } from '../../../src/core/metrics';
import { defaultRenderer } from '../../../src/core/template';
import { createEngine } from '../../../src/trainer/engine';
import { evaluate } from '../../../src/trainer/evaluate';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import { loadModel } from '../../../src/trainer/loadModel';
import { loadRecords } from '../../../src/trainer/prepare';
import { runEvaluation } from '../../../src/trainer/evaluation/evalRun';
import { parseEvalReport, parseGenerationLine } from '../../../src/shared/protocol/evaluation';
import { tempDir, toyRecords, writeJsonl } from '../trainer/helpers';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false, cwd });
  return { code, stdout, stderr };
}

const FAST = ['--model', 'scratch', '--steps', '3', '--batch', '2', '--context', '96', '--d-model', '16', '--layers', '1', '--heads', '2', '--eval-every', '0', '--exact-match-samples', '1', '--seed', '7'];

async function trainedRun(t: { after: (f: () => void) => void }): Promise<string> {
  const dir = tempDir(t);
  writeJsonl(join(dir, 'train.jsonl'), toyRecords(8));
  const trained = await cli(['train', '--data', 'train.jsonl', '--out', 'run', ...FAST], dir);
  assert.equal(trained.code, 0, trained.stderr);
  const evalRecords = toyRecords(4, 5);
  // One record carries an instruction-following check so the IFEval plumbing is exercised.
  evalRecords[0].checks = [{ type: 'max_words', n: 50 }];
  writeJsonl(join(dir, 'eval.jsonl'), evalRecords);
  writeJsonl(join(dir, 'unseen.jsonl'), [{ instruction: 'Write the word backwards.', input: 'sun', output: 'nus', task: 'reverse' }]);
  writeFileSync(join(dir, 'general.txt'), 'The cat sat on the mat.\n\nA river runs to the sea, and the sea is never full.\n');
  return dir;
}

test('the runner: loss matches the trainer\'s packed evaluation, metrics match the core on the generations, base scratch is the run\'s initial weights', async (t) => {
  const dir = await trainedRun(t);
  const renderer = defaultRenderer();
  const { report, generations } = await runEvaluation(
    { model: join(dir, 'run'), data: join(dir, 'eval.jsonl'), unseen: join(dir, 'unseen.jsonl'), general: join(dir, 'general.txt'), base: 'scratch', maxNewTokens: 6, skipInvalid: false, bootstrap: { samples: 200 } },
    { renderer, threads: 1 },
  );
  assert.equal(report.n, 5);
  assert.equal(generations.length, 5);
  assert.deepEqual(generations.map((g) => [g.line, g.unseen]), [[1, false], [2, false], [3, false], [4, false], [1, true]]);
  assert.equal(report.seen!.n, 4);
  assert.equal(report.unseen!.n, 1);
  assert.deepEqual(Object.keys(report.per_task).sort(), ['reverse', 'upper']);
  assert.equal(report.counts.ifeval_prompts, 1);
  assert.ok(report.ifeval && report.ci.exact_match && report.ci.loss, 'IFEval and intervals are reported');

  // Per-record NLL summed by the runner = the trainer's own loss over the same items, batched and packed.
  const tuned = await loadModel(join(dir, 'run'), 1);
  const items = [
    ...(await loadRecords(join(dir, 'eval.jsonl'), tuned.tokenizer, renderer, { skipInvalid: false, includeRejected: true, maxTokens: tuned.contextLength + 1 })).items,
    ...(await loadRecords(join(dir, 'unseen.jsonl'), tuned.tokenizer, renderer, { skipInvalid: false, includeRejected: true, maxTokens: tuned.contextLength + 1 })).items,
  ];
  const packed = await evaluate({ engine: tuned.engine, tokenizer: tuned.tokenizer, renderer }, items, { seqLen: tuned.contextLength, batchSize: 4, packing: true, exactMatchSamples: 0, maxNewTokens: 1 });
  await tuned.engine.dispose();
  assert.ok(Math.abs(report.loss! - packed.loss) < 1e-4, `runner loss ${report.loss} vs packed ${packed.loss}`);
  assert.ok(Math.abs(report.perplexity! - Math.exp(packed.loss)) < 1e-3);

  // The base pass is the built-in model's random init with the run's seed (7), not the tuned weights.
  const ck = loadCheckpoint(join(dir, 'run', 'best'), { withOptimizer: false });
  const init = await createEngine({ config: ck.model, seed: 7, threads: 1 });
  const initLoss = await evaluate({ engine: init, tokenizer: ck.tokenizer, renderer }, items, { seqLen: ck.model.contextLength, batchSize: 4, packing: true, exactMatchSamples: 0, maxNewTokens: 1 });
  await init.dispose();
  assert.ok(Math.abs(report.base_results!.loss! - initLoss.loss) < 1e-4, `base loss ${report.base_results!.loss} vs init ${initLoss.loss}`);
  assert.ok(Math.abs(report.comparison!.loss!.delta - (report.loss! - report.base_results!.loss!)) < 1e-9);

  // The text metrics are the core's over the generations the runner kept.
  const records: EvalRecord[] = generations.map((g) => ({ task: g.task, unseen: g.unseen, prediction: g.tuned, reference: g.expected }));
  const core = aggregate(records, { bootstrap: false });
  for (const k of ['exact_match', 'token_f1', 'rouge_l', 'bleu'] as const) assert.equal(report[k], core[k], k);
  generations.forEach((g, i) => assert.equal(g.scores.tuned.token_f1, aggregate([records[i]], { bootstrap: false }).token_f1));

  // Forgetting: both perplexities over the same chunks, and the change is theirs.
  const f = report.forgetting!;
  assert.ok(f.perplexity_before >= 1 && f.perplexity_after >= 1 && f.perplexity_before !== f.perplexity_after);
  assert.ok(Math.abs(f.absolute_change - (f.perplexity_after - f.perplexity_before)) < 1e-9);
});

test('eval CLI: readable table with intervals, the old --json fields, saved report and generations that the panel validators accept', async (t) => {
  const dir = await trainedRun(t);
  const human = await cli(['eval', '--model', 'run', '--data', 'eval.jsonl', '--max-new-tokens', '4', '--base', 'scratch'], dir);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^exact match\s+\d+\.\d%\s+\[\d+\.\d%, \d+\.\d%\]\s+\d+\.\d%\s+[+-]\d+\.\d\s+\[/m);
  assert.match(human.stdout, /^loss\s+\d+\.\d{3}\s+\[/m);
  assert.match(human.stdout, /^IFEval prompt strict\s+/m);
  const savedPath = /^saved (.+\.json)$/m.exec(human.stdout)?.[1];
  assert.ok(savedPath && savedPath.startsWith(join(dir, 'run', 'eval')), human.stdout);

  const parsed = parseEvalReport(JSON.parse(readFileSync(savedPath, 'utf8')));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  const report = parsed.report;
  const genFile = join(dir, 'run', 'eval', report.meta.generations!);
  const lines = readFileSync(genFile, 'utf8').trim().split('\n').map((l) => parseGenerationLine(JSON.parse(l)));
  assert.equal(lines.length, 4);
  assert.ok(lines.every((l) => l !== null && l.base !== null && l.scores.base !== null));

  const json = await cli(['eval', '--model', 'run', '--data', 'eval.jsonl', '--max-new-tokens', '4', '--json', '--no-save'], dir);
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.equal(out.n, 4);
  assert.equal(typeof out.loss, 'number');
  assert.equal(typeof out.exact_match, 'number');
  assert.deepEqual(Object.keys(out.per_task).sort(), ['reverse', 'upper']);
  assert.equal(out.comparison, null);
  assert.equal(out.saved, undefined);
});

test('eval refuses bad input naming the file, line and field', async (t) => {
  const dir = await trainedRun(t);
  writeJsonl(join(dir, 'bad.jsonl'), [toyRecords(1)[0], { ...toyRecords(1)[0], checks: [{ type: 'max_words' }] }]);
  const bad = await cli(['eval', '--model', 'run', '--data', 'bad.jsonl', '--no-save'], dir);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /bad\.jsonl:2: field checks\[0\]/);
  const noBase = await cli(['eval', '--model', join(dir, 'run', 'best'), '--data', 'eval.jsonl', '--general', 'general.txt', '--no-save', '--max-new-tokens', '1'], dir);
  // best/ belongs to the run, whose run.json names the base ('scratch'), so the probe runs without --base.
  assert.equal(noBase.code, 0, noBase.stderr);
  const missing = await cli(['eval', '--model', 'run', '--data', 'eval.jsonl', '--general', 'nope.txt'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--general nope\.txt: no such file/);
  assert.equal(existsSync(join(dir, 'run', 'eval')), false, 'failed evaluations save nothing');
});
