// `synth` end to end through the CLI with a real tiny model (a fixture that learned to write one task): the test
// checks the accounting, the refusal to overwrite, and that what was written is a valid dataset whose records carry
// their provenance, not the text itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateText } from '../../../src/core/dataset';
import { cli, scratch } from '../cli/run';
import { validateSynthLine } from '../../../src/shared/protocol/synth';

const MEMORIZED = resolve(__dirname, '../../fixtures/synth/memorized-model');

const seedRecords = [
  { instruction: 'Reverse the word.', input: 'lantern', output: 'nretnal' },
  { instruction: 'What is the capital of Peru?', input: '', output: 'Lima.' },
  { instruction: 'Name a planet of the solar system.', input: '', output: 'Mars.' },
];

test('synth: usage errors name the flag, and an existing output is never overwritten', async (t) => {
  const s = scratch();
  t.after(s.done);
  writeFileSync(join(s.dir, 'seeds.jsonl'), seedRecords.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(s.dir, 'taken.jsonl'), 'mine\n');
  const cases: Array<[string[], RegExp, number]> = [
    [['synth', '-n', '2', '-o', 'out.jsonl', '--model', 'm'], /--seed FILE is required/, 2],
    [['synth', '--seed', 'seeds.jsonl', '-o', 'out.jsonl', '--model', 'm'], /-n N is required/, 2],
    [['synth', '--seed', 'seeds.jsonl', '-n', '2', '-o', 'out.jsonl', '--model', 'm', '--temperature', '0'], /--temperature must be above 0/, 2],
    [['synth', '--seed', 'seeds.jsonl', '-n', '2', '-o', 'out.jsonl', '--model', 'm', '--max-rouge', '1.5'], /--max-rouge must be in/, 2],
    [['synth', '--seed', 'missing.jsonl', '-n', '2', '-o', 'out.jsonl', '--model', 'm'], /--seed missing.jsonl: no such file/, 2],
    [['synth', '--seed', 'seeds.jsonl', '-n', '2', '-o', 'taken.jsonl', '--model', 'm'], /taken.jsonl: already exists/, 2],
    [['synth', '--seed', 'seeds.jsonl', '-n', '2', '-o', 'out.jsonl', '--model', 'no-such-model'], /no-such-model: no such model folder/, 2],
  ];
  for (const [args, re, code] of cases) {
    const r = await cli(s.dir, ...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  assert.equal(readFileSync(join(s.dir, 'taken.jsonl'), 'utf8'), 'mine\n');
});

test('synth: a seed file with errors is refused with file:line', async (t) => {
  const s = scratch();
  t.after(s.done);
  writeFileSync(join(s.dir, 'bad.jsonl'), '{"instruction": "x", "input": "", "output": "y"}\n{not json\n');
  const r = await cli(s.dir, 'synth', '--seed', 'bad.jsonl', '-n', '1', '-o', 'out.jsonl', '--model', 'm');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.jsonl:2:\d+ json-parse/);
});

test('synth end to end with a tiny model: a valid dataset of marked records, with the filters applied', async (t) => {
  // The fixture writes one fixed task after every prompt (see makeMemorizedModel.ts): the first copy is kept, the
  // others are near-duplicates of it, and with the model's own 24-token budget every one would be too long.
  const s = scratch();
  t.after(s.done);
  writeFileSync(join(s.dir, 'seeds.jsonl'), seedRecords.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const args = ['--seed', 'seeds.jsonl', '-n', '3', '--model', MEMORIZED, '--max-proposals', '6', '--max-new-tokens', '80', '--json'];
  const r = await cli(s.dir, 'synth', ...args, '-o', 'new.jsonl', '--max-tokens', '512');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  // Every line is what the editor's reader accepts (src/shared/protocol/synth.ts).
  for (const l of lines) assert.ok(validateSynthLine(l).ok, JSON.stringify(l).slice(0, 200));
  const done = lines.at(-1) as { type: string; proposals: number; kept: number; dropped: Record<string, number>; out: string | null; stoppedBy: string };
  assert.equal(done.type, 'done');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(done.proposals, 6);
  assert.equal(done.stoppedBy, 'max-proposals');
  assert.ok(done.kept >= 1);
  assert.ok(done.dropped['near-duplicate-generated'] >= 1, JSON.stringify(done.dropped));
  assert.equal(done.kept + Object.values(done.dropped).reduce((a, b) => a + b, 0), done.proposals);
  const text = readFileSync(join(s.dir, 'new.jsonl'), 'utf8');
  assert.equal(done.out, join(s.dir, 'new.jsonl'));
  assert.deepEqual(validateText(text, { nearDuplicates: false }).problems, []);
  const records = text.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(records.length, done.kept);
  for (const rec of records) {
    assert.equal(rec.source, 'synth');
    assert.ok(typeof rec.instruction === 'string' && rec.instruction && typeof rec.output === 'string' && rec.output);
    assert.ok(rec.seed_lines.length >= 1 && rec.seed_lines.every((l: number) => l >= 1 && l <= 3), JSON.stringify(rec.seed_lines));
  }

  // With the model's own context as the budget, the same proposals are all too long: nothing is written, exit 1.
  const tight = await cli(s.dir, 'synth', ...args, '-o', 'tight.jsonl');
  const tightDone = JSON.parse(tight.stdout.trim().split('\n').at(-1)!);
  assert.equal(tight.code, 1);
  assert.equal(tightDone.out, null);
  assert.equal(tightDone.dropped['too-long'], 6);
  assert.equal(existsSync(join(s.dir, 'tight.jsonl')), false);
  // And the first output is never overwritten by a second run.
  const again = await cli(s.dir, 'synth', ...args, '-o', 'new.jsonl');
  assert.equal(again.code, 2);
  assert.equal(readFileSync(join(s.dir, 'new.jsonl'), 'utf8'), text);
});

test('synth without --model uses the built-in pre-trained base model, as train does; scratch is random weights', async (t) => {
  const s = scratch();
  t.after(s.done);
  writeFileSync(join(s.dir, 'seeds.jsonl'), seedRecords.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const args = ['--seed', 'seeds.jsonl', '-n', '1', '--max-proposals', '1', '--max-new-tokens', '8', '--json'];
  const doneOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as { type: string; model: string; proposals: number };

  const byDefault = await cli(s.dir, 'synth', ...args, '-o', 'default.jsonl');
  assert.ok(byDefault.code === 0 || byDefault.code === 1, byDefault.stderr);
  const d = doneOf(byDefault.stdout);
  assert.equal(d.type, 'done');
  assert.equal(d.model, resolve(__dirname, '../../../media/models/base'));
  assert.equal(d.proposals, 1);

  const named = await cli(s.dir, 'synth', ...args, '-o', 'named.jsonl', '--model', 'tiny');
  assert.equal(doneOf(named.stdout).model, d.model);
  const random = await cli(s.dir, 'synth', ...args, '-o', 'random.jsonl', '--model', 'scratch');
  assert.ok(random.code === 0 || random.code === 1, random.stderr);
  assert.equal(doneOf(random.stdout).model, 'scratch');
});
