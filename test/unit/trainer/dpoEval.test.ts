// Evaluation for preference runs: reward accuracy on a preference file against the base model (the same numbers the
// DPO run logged on the same pairs), and the win rate of tuned over base on verifiable records.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import { defaultRenderer } from '../../../src/core/template';
import { train } from '../../../src/trainer/train';
import { readMetrics } from '../../../src/trainer/runFolder';
import { main } from '../../../src/cli/main';
import { isCorrect, winRate } from '../../../src/trainer/evaluation/winRate';
import { parseEvalReport } from '../../../src/shared/protocol/evaluation';
import type { EvalRow } from '../../../src/shared/protocol/trainer';
import type { EvalRecord } from '../../../src/core/metrics';
import { tempDir, toyRecords, writeJsonl } from './helpers';

test('win rate: tuned right and base wrong wins, the reverse loses, the rest tie (half); records with nothing to verify are left out', () => {
  const rec = (prediction: string, extra: Partial<EvalRecord> = {}): EvalRecord => ({ prediction, reference: 'tac', ...extra });
  const base = [rec('cat'), rec('tac'), rec('tac'), rec('cat'), { prediction: 'x' }, rec('x', { reference: undefined, checks: [{ type: 'uppercase' }] })];
  const tuned = [rec('tac'), rec('cat'), rec('tac'), rec('cat'), { prediction: 'y' }, rec('X', { reference: undefined, checks: [{ type: 'uppercase' }] })];
  assert.equal(isCorrect({ prediction: 'y' }), null);
  assert.equal(isCorrect(tuned[5]), true);
  assert.deepEqual(winRate(base, tuned), { n: 5, wins: 2, losses: 1, ties: 2, win_rate: (2 + 1) / 5 });
  assert.equal(winRate([{ prediction: 'a' }], [{ prediction: 'b' }]), null);
  // A correct exact answer that fails a check is wrong.
  assert.equal(isCorrect(rec('tac', { checks: [{ type: 'uppercase' }] })), false);
});

function preferences(n: number): Array<Record<string, unknown>> {
  const words = ['cat', 'dog', 'sun', 'map', 'red', 'box'];
  return Array.from({ length: n }, (_, i) => ({ prompt: `Reverse: ${words[i % 6]}\n`, chosen: [...words[i % 6]].reverse().join(''), rejected: words[i % 6] }));
}

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false, cwd });
  return { code, stdout, stderr };
}

test('eval on a preference file: reward accuracy and margin against the base, as the DPO run measured them', async (t) => {
  const dir = tempDir(t);
  const data = writeJsonl(join(dir, 'prefs.jsonl'), preferences(6));
  const out = join(dir, 'run');
  await train({
    stage: 'dpo', data, eval: data, out, model: 'tiny', resume: true, skipInvalid: false, includeRejected: false,
    overrides: { dModel: 32, nLayers: 1, nHeads: 2, contextLength: 48, batchSize: 3, threads: 1, warmupSteps: 2, steps: 12, lr: 5e-3, evalEvery: 0 },
  }, { emit: () => {}, stopRequested: () => false, createEngine: (o) => createEngine(o), renderer: defaultRenderer() });
  const last = readMetrics(out).filter((r): r is EvalRow => 'split' in r).at(-1)!;
  const r = await cli(['eval', '--model', 'run/checkpoint', '--data', 'prefs.jsonl', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.kind, 'preference');
  assert.equal(report.n, 6);
  assert.equal(report.meta.base, 'tiny');
  assert.equal(report.beta, 0.1);
  assert.ok(Math.abs(report.reward_accuracy - last.reward_accuracy!) < 1e-9, `${report.reward_accuracy} vs ${last.reward_accuracy}`);
  assert.ok(Math.abs(report.reward_margin - last.reward_margin!) < 1e-4, `${report.reward_margin} vs ${last.reward_margin}`);
  assert.ok(Math.abs(report.dpo_loss - last.loss) < 1e-4);
  assert.ok(report.reward_accuracy > 0.5);
  const text = await cli(['eval', '--model', 'run/checkpoint', '--data', 'prefs.jsonl', '--beta', '0.2'], dir);
  assert.match(text.stdout, /^6 preference pairs; .*beta 0\.2, sigmoid loss\nreward accuracy +\d+\.\d%\nreward margin/);
});

test('eval with a base on instruction data reports the win rate on verifiable records', async (t) => {
  const dir = tempDir(t);
  const data = writeJsonl(join(dir, 'd.jsonl'), toyRecords(12));
  const fast = ['--steps', '2', '--batch', '2', '--context', '96', '--d-model', '16', '--layers', '1', '--heads', '2', '--eval-every', '0', '--exact-match-samples', '0'];
  assert.equal((await cli(['train', '--data', 'd.jsonl', '--out', 'o', ...fast], dir)).code, 0);
  const r = await cli(['eval', '--model', 'o', '--data', data, '--base', 'tiny', '--limit', '3', '--max-new-tokens', '3', '--no-save', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const parsed = parseEvalReport(JSON.parse(r.stdout));
  assert.ok(parsed.ok);
  const w = parsed.report.win_rate!;
  assert.equal(w.n, 3);
  assert.equal(w.wins + w.losses + w.ties, 3);
  assert.ok(!parseEvalReport({ ...parsed.report, win_rate: { n: 'three' } }).ok, 'a malformed win rate is refused');
});
