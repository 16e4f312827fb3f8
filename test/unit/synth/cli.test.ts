// `synth` end to end through the CLI with a real (randomly initialised, tiny) model: what it writes depends on the
// model, so the test checks the accounting, the refusal to overwrite, and that whatever was written is a valid
// dataset whose records carry their provenance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { validateText } from '../../../src/core/dataset';
import { saveCheckpoint } from '../../../src/trainer/checkpoint';
import { initParams, paramLayout, resolveConfig, toNamed } from '../../../src/trainer/engine/params';
import type { GptConfig } from '../../../src/trainer/engine/types';
import { cli, scratch } from '../cli/run';
import { validateSynthLine } from '../../../src/shared/protocol/synth';

function randomModel(dir: string): string {
  const tokenizer = new ByteTokenizer();
  const config: GptConfig = { vocabSize: tokenizer.vocabSize, contextLength: 128, dModel: 32, nLayers: 1, nHeads: 2 };
  const layout = paramLayout(resolveConfig(config));
  saveCheckpoint(dir, { model: config, tokenizer, params: toNamed(layout, initParams(layout, 1)), optimizer: null, state: null });
  return dir;
}

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

test('synth end to end with a tiny model: every proposal is accounted for, and what is written is valid and marked', async (t) => {
  const s = scratch();
  t.after(s.done);
  randomModel(join(s.dir, 'model'));
  writeFileSync(join(s.dir, 'seeds.jsonl'), seedRecords.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = await cli(s.dir, 'synth', '--seed', 'seeds.jsonl', '-n', '2', '-o', 'new.jsonl', '--model', 'model', '--max-proposals', '8', '--max-new-tokens', '24', '--json');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  // Every line is what the editor's reader accepts (src/shared/protocol/synth.ts).
  for (const l of lines) assert.ok(validateSynthLine(l).ok, JSON.stringify(l).slice(0, 200));
  const done = lines.at(-1) as { type: string; proposals: number; kept: number; dropped: Record<string, number>; out: string | null; settings: { maxRougeL: number } };
  assert.equal(done.type, 'done');
  assert.ok(lines.slice(0, -1).every((l) => l.type === 'progress'));
  assert.ok(done.proposals > 0 && done.proposals <= 8);
  assert.equal(done.kept + Object.values(done.dropped).reduce((a, b) => a + b, 0), done.proposals);
  assert.equal(done.settings.maxRougeL, 0.7);
  assert.equal(r.code, done.kept ? 0 : 1);
  assert.equal(existsSync(join(s.dir, 'new.jsonl')), done.kept > 0);
  if (done.kept) {
    const text = readFileSync(join(s.dir, 'new.jsonl'), 'utf8');
    assert.equal(validateText(text, { nearDuplicates: false }).problems.length, 0);
    for (const line of text.trim().split('\n')) {
      const rec = JSON.parse(line);
      assert.equal(rec.source, 'synth');
      assert.ok(rec.seed_lines.every((l: number) => l >= 1 && l <= 3));
    }
  }
});
