import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMetricsChunk, numericFields } from '../../../src/core/runs/metrics';
import { extractSeries, emaSmooth, downsampleMinMax, rowsToCsv } from '../../../src/core/runs/series';

test('a half-written last line is left for the next read, and consumed counts bytes', () => {
  const text = '{"step":1,"loss":2.5}\n{"step":2,"loss":2.1,"note":"é"}\n{"step":3,"lo';
  const chunk = parseMetricsChunk(Buffer.from(text));
  assert.deepEqual(chunk.rows.map((r) => r.step), [1, 2]);
  assert.equal(chunk.consumed, Buffer.byteLength('{"step":1,"loss":2.5}\n{"step":2,"loss":2.1,"note":"é"}\n'));
  const rest = Buffer.from(text).subarray(chunk.consumed).toString() + 'ss":1.9}\n';
  assert.deepEqual(parseMetricsChunk(rest).rows, [{ step: 3, loss: 1.9 }]);
});

test('corrupt lines are reported by line and skipped; final=true takes an unterminated last line', () => {
  const chunk = parseMetricsChunk('{"step":1}\nnot json\n[1]\n{"loss":1}\n{"step":5}', true);
  assert.deepEqual(chunk.rows.map((r) => r.step), [1, 5]);
  assert.deepEqual(chunk.badLines, [2, 3, 4]);
});

test('series split train from eval and follow the chosen x axis', () => {
  const rows = [
    { step: 10, loss: 3, elapsed_s: 1, tokens: 100 },
    { step: 20, loss: 2, elapsed_s: 2, tokens: 100 },
    { step: 20, split: 'eval', loss: 2.5, elapsed_s: 2.5 },
    { step: 30, loss: 1, elapsed_s: 3, tokens: 50 },
  ];
  assert.deepEqual(extractSeries(rows, 'loss', 'train', 'step'), { x: [10, 20, 30], y: [3, 2, 1] });
  assert.deepEqual(extractSeries(rows, 'loss', 'eval', 'step'), { x: [20], y: [2.5] });
  assert.deepEqual(extractSeries(rows, 'loss', 'train', 'time'), { x: [1, 2, 3], y: [3, 2, 1] });
  assert.deepEqual(extractSeries(rows, 'loss', 'train', 'tokens'), { x: [100, 200, 250], y: [3, 2, 1] });
  assert.deepEqual(extractSeries(rows, 'loss', 'eval', 'tokens').x, [200]);
  assert.deepEqual(numericFields(rows), ['step', 'loss', 'elapsed_s', 'tokens']);
});

test('EMA is debiased: a constant series stays constant, and it lags a step change', () => {
  assert.deepEqual(emaSmooth([2, 2, 2], 0.9).map((v) => +v.toFixed(12)), [2, 2, 2]);
  const s = emaSmooth([0, 0, 10, 10], 0.5);
  assert.equal(s[0], 0);
  assert.ok(s[2] > 0 && s[2] < 10);
  assert.ok(s[3] > s[2] && s[3] < 10);
  assert.deepEqual(emaSmooth([1, 5], 0), [1, 5]);
});

test('min/max downsampling keeps spikes and bounds the point count', () => {
  const n = 100_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const y = x.map((i) => (i === 54_321 ? 99 : i === 777 ? -5 : 1));
  const d = downsampleMinMax({ x, y }, 500);
  assert.ok(d.x.length <= 1000);
  assert.ok(d.y.includes(99) && d.y.includes(-5));
  assert.ok(d.x.every((v, i) => i === 0 || v > d.x[i - 1]), 'x stays increasing');
});

test('CSV has a column per field and quotes what needs it', () => {
  const csv = rowsToCsv([{ step: 1, loss: 2 }, { step: 2, split: 'eval', note: 'a,"b"' }]);
  assert.equal(csv, 'step,loss,split,note\n1,2,,\n2,,eval,"a,""b"""\n');
});

import { mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsTail } from '../../../src/core/runs/metricsTail';
import { readRunSummary } from '../../../src/core/runs/runFolder';
import { evaluationSummary } from '../../../src/core/runs/evaluationSummary';
import { sampleEvaluation, samplePreferenceReport, writeSampleEvaluation } from '../evaluation/fixtures';

test('MetricsTail returns only new complete rows and starts over when the file is replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tail-'));
  const file = join(dir, 'metrics.jsonl');
  const tail = new MetricsTail(file);
  assert.deepEqual(await tail.read(), { rows: [], reset: false }, 'a missing file is simply empty');
  writeFileSync(file, '{"step":1,"loss":3}\n{"step":2,');
  assert.deepEqual((await tail.read()).rows, [{ step: 1, loss: 3 }]);
  appendFileSync(file, '"loss":2}\n');
  assert.deepEqual((await tail.read()).rows, [{ step: 2, loss: 2 }]);
  assert.deepEqual((await tail.read()).rows, []);
  writeFileSync(file, '{"step":1,"loss":9}\n');
  assert.deepEqual(await tail.read(), { rows: [{ step: 1, loss: 9 }], reset: true });
});

test('a run summary comes from run.json and metrics.jsonl; a broken run.json is reported, not thrown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ status: 'finished', dataset: '/d/train.jsonl', model: 'tiny' }));
  writeFileSync(join(dir, 'metrics.jsonl'), [
    { step: 10, loss: 2, elapsed_s: 5 }, { step: 10, split: 'eval', loss: 2.2, exact_match: 0.1, elapsed_s: 6 },
    { step: 20, loss: 1.5, elapsed_s: 9 }, { step: 20, split: 'eval', loss: 1.9, exact_match: 0.3, elapsed_s: 10 },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n');
  const s = await readRunSummary(dir);
  assert.equal(s.status, 'finished');
  assert.equal(s.model, 'tiny');
  assert.equal(s.lastStep, 20);
  assert.equal(s.bestEvalLoss, 1.9);
  assert.equal(s.lastExactMatch, 0.3);
  assert.equal(s.durationSeconds, 10);
  assert.equal(s.hasCheckpoint, false);
  writeFileSync(join(dir, 'run.json'), '{"status": "fin');
  const broken = await readRunSummary(dir);
  assert.equal(broken.status, 'unknown');
  assert.match(broken.error ?? '', /^run\.json: /);
});

test('the run summary carries the newest saved evaluation, skipping files that are not JSON or not a valid report', async () => {
  const { mkdirSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'run-eval-'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ status: 'finished' }));
  const older = writeSampleEvaluation(dir, '/d/eval.jsonl', '2026-11-25T11-00-00Z');
  writeFileSync(join(dir, 'eval', '2026-11-25T11-30-00Z.json'), JSON.stringify({ n: 12, exact_match: 0.75, token_f1: 0.8 }));
  mkdirSync(join(dir, 'eval'), { recursive: true });
  writeFileSync(join(dir, 'eval', '2026-11-25T12-00-00Z.json'), '{"n": 1');
  const { report } = sampleEvaluation('/d/eval.jsonl');
  const s = await readRunSummary(dir);
  assert.deepEqual(s.evaluation, {
    kind: 'instruction', file: older, n: 4, exactMatch: report.exact_match, tokenF1: report.token_f1,
    exactMatchDelta: report.comparison!.exact_match!.delta, winRate: { n: 4, wins: 1, losses: 1, ties: 2, win_rate: 0.5 },
  });
  assert.equal(evaluationSummary(s.evaluation), 'evaluated EM 50% (+0 pp vs base) · win 50%');
  const withWins = { ...report, win_rate: { n: 4, wins: 2, losses: 0, ties: 2, win_rate: 0.75 } };
  writeFileSync(join(dir, 'eval', '2026-11-25T12-30-00Z.json'), JSON.stringify(withWins));
  const w = await readRunSummary(dir);
  assert.deepEqual(w.evaluation?.kind === 'instruction' && w.evaluation.winRate, withWins.win_rate);
  assert.equal(evaluationSummary(w.evaluation), 'evaluated EM 50% (+0 pp vs base) · win 75%');
});

test('a preference evaluation is the newest: the summary shows reward accuracy, margin and DPO loss vs the base', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-pref-'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ status: 'finished', stage: 'dpo' }));
  writeSampleEvaluation(dir, '/d/eval.jsonl', '2026-11-25T11-00-00Z');
  const pref = samplePreferenceReport();
  const file = join(dir, 'eval', '2026-11-25T13-00-00Z.json');
  writeFileSync(file, JSON.stringify(pref));
  const s = await readRunSummary(dir);
  assert.deepEqual(s.evaluation, { kind: 'preference', file, n: 8, rewardAccuracy: 0.75, rewardMargin: 0.125, dpoLoss: 0.6321, baseDpoLoss: Math.LN2 });
  assert.equal(evaluationSummary(s.evaluation), 'reward acc 75% · margin +0.125');
  // A preference report missing a field is not a report: the older instruction evaluation is shown instead.
  const { dpo_loss: _gone, ...broken } = pref;
  writeFileSync(file, JSON.stringify(broken));
  assert.equal((await readRunSummary(dir)).evaluation?.kind, 'instruction');
  assert.equal(evaluationSummary(undefined), undefined);
  assert.equal(evaluationSummary({ kind: 'instruction', file, n: 5, exactMatch: 0.6, tokenF1: 0.7, exactMatchDelta: -0.2, winRate: null }), 'evaluated EM 60% (-20 pp vs base)');
});
