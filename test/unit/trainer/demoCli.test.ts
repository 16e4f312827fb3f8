// `instruct-studio demo` end to end on a small slice of the bundled sample: the pre-trained base is fine-tuned within
// the time budget, the from-scratch comparison trains exactly as many steps, before/after figures and curves come
// back, and a taken run folder or a bad budget is refused.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cli } from '../cli/run';
import { tempDir } from './helpers';

const repo = resolve(__dirname, '../../..');
const lines = (f: string, n: number) => readFileSync(join(repo, 'media', 'samples', f), 'utf8').trim().split('\n').slice(0, n).join('\n') + '\n';

test('demo --json: the base is tuned within the budget, the scratch run takes the same steps, figures and curves for both', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.jsonl'), lines('multitask-train.jsonl', 60));
  writeFileSync(join(dir, 'eval.jsonl'), lines('multitask-eval.jsonl', 10));
  const r = await cli(dir, 'demo', '--max-minutes', '0.1', '--data', 'train.jsonl', '--eval', 'eval.jsonl', '--out', 'runs/d', '--json');
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.type, 'summary');
  assert.ok(summary.steps > 0, 'the tuned run took steps');
  assert.equal(summary.scratch.steps, summary.steps, 'the comparison trains exactly as many steps');
  for (const run of [summary, summary.scratch]) {
    assert.equal(run.before.step, 0);
    assert.equal(run.after.step, run.steps);
    assert.equal(run.before.per_task && Object.values(run.before.per_task as Record<string, { n: number }>).reduce((n, x) => n + x.n, 0), 10, 'every held-out record is scored');
    assert.ok(typeof run.after.exact_match === 'number');
  }
  assert.ok(summary.after.loss < summary.before.loss, 'fine-tuning lowered the held-out loss');
  assert.ok(summary.curves.length > 0 && summary.curves.every((p: { pretrained: number; scratch: number }) => Number.isFinite(p.pretrained) && Number.isFinite(p.scratch)));
  assert.ok(summary.samples.length > 0 && typeof summary.samples[0].expected === 'string');
  assert.ok(existsSync(join(dir, 'runs/d/metrics.jsonl')) && existsSync(join(dir, 'runs/d-scratch/metrics.jsonl')));
  // The same --out again is refused, and nothing is overwritten.
  const before = readFileSync(join(dir, 'runs/d/metrics.jsonl'), 'utf8');
  const again = await cli(dir, 'demo', '--max-minutes', '0.1', '--data', 'train.jsonl', '--eval', 'eval.jsonl', '--out', 'runs/d');
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a run; nothing was overwritten/);
  assert.equal(readFileSync(join(dir, 'runs/d/metrics.jsonl'), 'utf8'), before);
});

test('demo: a budget that is not above 0 is a usage error', async (t) => {
  const dir = tempDir(t);
  const r = await cli(dir, 'demo', '--max-minutes', '0');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--max-minutes must be above 0/);
});
