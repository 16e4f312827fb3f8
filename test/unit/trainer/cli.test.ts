// The train / eval / generate commands through the CLI's main: exit codes, messages, and a short real run.
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { readRunInfo } from '../../../src/trainer/runFolder';
import { tempDir, toyRecords, writeJsonl } from './helpers';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false, cwd });
  return { code, stdout, stderr };
}

test('bad flags are usage errors (exit 2) with the usage line, before any training starts', async (t) => {
  const dir = tempDir(t);
  writeJsonl(join(dir, 'd.jsonl'), toyRecords(4));
  const cases: Array<[string[], RegExp]> = [
    [['train', '--out', 'o'], /--data FILE is required/],
    [['train', '--data', 'd.jsonl'], /--out DIR is required/],
    [['train', '--data', 'd.jsonl', '--out', 'o', '--bogus'], /unknown option --bogus/],
    [['train', '--data', 'd.jsonl', '--out', 'o', '--steps', 'ten'], /--steps needs a number/],
    [['train', '--data', 'd.jsonl', '--out', 'o', '--steps', '5', '--epochs', '1'], /--steps or --epochs, not both/],
    [['train', '--data', 'd.jsonl', '--out', 'o', '--task-weights', 'a=x'], /--task-weights: "a=x"/],
    [['train', '--data', 'd.jsonl', '--out', 'o', '--resume'], /--resume: o has no checkpoint/],
    [['train', '--data', 'missing.jsonl', '--out', 'o'], /--data missing\.jsonl: no such file/],
    [['train', '--data', 'd.jsonl', '--out', 'o', '--lora-r', '4'], /--lora-r needs --lora/],
    [['eval', '--data', 'd.jsonl'], /--model DIR is required/],
    [['eval', '--model', 'nowhere', '--data', 'd.jsonl'], /nowhere: no such model folder/],
    [['generate', '--model', 'm'], /exactly one of --prompt TEXT or --data FILE/],
    [['generate', '--model', 'm', '--prompt', 'x', '--top-p', '2'], /--top-p must be in/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args, dir);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack traces');
  }
});

test('a finished run in --out is refused with a clear message and left untouched', async (t) => {
  const dir = tempDir(t);
  writeJsonl(join(dir, 'd.jsonl'), toyRecords(4));
  mkdirSync(join(dir, 'o'));
  const info = { status: 'finished', step: 7 };
  writeFileSync(join(dir, 'o', 'run.json'), JSON.stringify(info));
  const r = await cli(['train', '--data', 'd.jsonl', '--out', 'o'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /o holds a finished run \(step 7\); nothing was overwritten/);
  assert.deepEqual(readRunInfo(join(dir, 'o')), info);
});

test('a dataset with errors is refused with the validator\'s problems (exit 1); --skip-invalid trains and says how many were skipped; eval and generate use the result', async (t) => {
  const dir = tempDir(t);
  writeJsonl(join(dir, 'd.jsonl'), [...toyRecords(20), { instruction: 'Reverse the word.', input: 'cat' }, { instruction: 'Uppercase.', outptu: 'X' }]);
  const refused = await cli(['train', '--data', 'd.jsonl', '--out', 'o', '--steps', '2'], dir);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /d\.jsonl: 2 errors; fix them or pass --skip-invalid/);
  assert.match(refused.stderr, /d\.jsonl:21:\d+: .*output/);

  const fast = ['--model', 'scratch', '--steps', '2', '--batch', '2', '--context', '96', '--d-model', '16', '--layers', '1', '--heads', '2', '--eval-every', '0', '--exact-match-samples', '2'];
  const trained = await cli(['train', '--data', 'd.jsonl', '--out', 'o', '--skip-invalid', ...fast], dir);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /skipped 2 invalid records/);
  assert.match(trained.stdout, /^step 2\/2 {2}loss /m);
  assert.match(trained.stdout, /finished at step 2/);
  assert.equal(readRunInfo(join(dir, 'o'))!.status, 'finished');

  const again = await cli(['train', '--data', 'd.jsonl', '--out', 'o', '--skip-invalid', ...fast], dir);
  assert.equal(again.code, 2);

  writeJsonl(join(dir, 'e.jsonl'), toyRecords(3, 4));
  const ev = await cli(['eval', '--model', 'o', '--data', 'e.jsonl', '--json', '--max-new-tokens', '4'], dir);
  assert.equal(ev.code, 0, ev.stderr);
  const summary = JSON.parse(ev.stdout);
  assert.equal(summary.n, 3);
  assert.equal(typeof summary.loss, 'number');
  assert.equal(typeof summary.exact_match, 'number');
  assert.deepEqual(Object.keys(summary.per_task).sort(), ['reverse', 'upper']);

  const gen = await cli(['generate', '--model', 'o', '--prompt', 'Reverse the word.', '--input', 'cat', '--max-new-tokens', '3', '--json'], dir);
  assert.equal(gen.code, 0, gen.stderr);
  const g = JSON.parse(gen.stdout);
  assert.match(g.prompt, /Reverse the word\./);
  assert.equal(typeof g.output, 'string');
});
