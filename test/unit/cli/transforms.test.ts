// `stats`, `convert`, `split`, `dedupe` from the command line: they write new files, say what they wrote,
// never touch the input, and refuse to overwrite without --force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, scratch } from './run';
import { computeFileStats, parseDataset, validateText } from '../../../src/core/dataset/index';

const FIX = join(__dirname, '..', '..', 'fixtures', 'datasets');
const SAMPLES = join(__dirname, '..', '..', '..', 'media', 'samples');

function withCopy(name: string, from = FIX) {
  const s = scratch();
  copyFileSync(join(from, name), join(s.dir, name));
  return { ...s, original: readFileSync(join(s.dir, name), 'utf8') };
}

test('stats: a readable table, and --json equal to the core statistics', async () => {
  const s = withCopy('stats-small.jsonl');
  try {
    const human = await cli(s.dir, 'stats', 'stats-small.jsonl');
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^stats-small\.jsonl: 4 records, alpaca \(\+1 not valid JSON records\)$/m);
    assert.match(human.stdout, /tasks +t1 3, t2 1/);
    assert.match(human.stdout, /prompt +5\.0 +4 +8 +8 +8/);
    assert.match(human.stdout, /duplicates +1 \(25\.0%\)/);
    const json = await cli(s.dir, 'stats', '--json', 'stats-small.jsonl');
    const expected = await computeFileStats(join(s.dir, 'stats-small.jsonl'));
    assert.deepEqual(JSON.parse(json.stdout), { ...expected, file: 'stats-small.jsonl' });
    assert.equal((await cli(s.dir, 'stats', 'nope.jsonl')).code, 2);
  } finally {
    s.done();
  }
});

test('convert: writes the new format, keeps unknown keys, leaves the input alone, refuses to overwrite', async () => {
  const s = withCopy('good-alpaca.jsonl');
  try {
    const r = await cli(s.dir, 'convert', 'good-alpaca.jsonl', '--to', 'chat', '-o', 'chat.jsonl');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'wrote chat.jsonl: 3 records as chat\n');
    const out = readFileSync(join(s.dir, 'chat.jsonl'), 'utf8');
    assert.deepEqual(validateText(out).problems, []);
    const recs = parseDataset(out);
    assert.deepEqual(recs.map((x) => x.value.id), ['a1', 'a2', 'a3']);
    assert.deepEqual(recs[1].value.tags, ['translate']);
    assert.equal(readFileSync(join(s.dir, 'good-alpaca.jsonl'), 'utf8'), s.original);
    const again = await cli(s.dir, 'convert', 'good-alpaca.jsonl', '--to', 'completion', '-o', 'chat.jsonl');
    assert.equal(again.code, 2);
    assert.equal(again.stderr, 'instruct-studio convert: ' + join(s.dir, 'chat.jsonl') + ': already exists; pass --force to overwrite it\n');
    assert.equal(readFileSync(join(s.dir, 'chat.jsonl'), 'utf8'), out);
    assert.equal((await cli(s.dir, 'convert', 'good-alpaca.jsonl', '--to', 'completion', '-o', 'chat.jsonl', '--force')).code, 0);
    assert.match(readFileSync(join(s.dir, 'chat.jsonl'), 'utf8'), /"completion"/);
    assert.equal((await cli(s.dir, 'convert', 'good-alpaca.jsonl', '--to', 'chat', '-o', 'good-alpaca.jsonl', '--force')).code, 2);
    assert.equal(readFileSync(join(s.dir, 'good-alpaca.jsonl'), 'utf8'), s.original);
  } finally {
    s.done();
  }
});

test('convert: records that cannot be converted are listed with their lines, exit 1, nothing written', async () => {
  const s = withCopy('good-chat.jsonl');
  try {
    const r = await cli(s.dir, 'convert', 'good-chat.jsonl', '--to', 'alpaca', '-o', 'a.jsonl');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /2 records cannot be converted to alpaca; nothing was written/);
    assert.match(r.stderr, /good-chat\.jsonl:2: a conversation with tool turns/);
    assert.match(r.stderr, /good-chat\.jsonl:3: a conversation with 2 user turns/);
    assert.equal(existsSync(join(s.dir, 'a.jsonl')), false);
    const usage = await cli(s.dir, 'convert', 'good-chat.jsonl', '--to', 'yaml', '-o', 'a.jsonl');
    assert.equal(usage.code, 2);
  } finally {
    s.done();
  }
});

test('transformations refuse files with lines that are not records', async () => {
  const s = withCopy('bad-json-parse.jsonl');
  try {
    const r = await cli(s.dir, 'dedupe', 'bad-json-parse.jsonl', '-o', 'out.jsonl');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /1 line is not JSON records and would be lost/);
    assert.match(r.stderr, /bad-json-parse\.jsonl:2: invalid JSON/);
    assert.equal(existsSync(join(s.dir, 'out.jsonl')), false);
  } finally {
    s.done();
  }
});

test('split: seeded, stratified, writes FILE-train/FILE-eval beside the input with the lines verbatim', async () => {
  const s = withCopy('multitask-eval.jsonl', SAMPLES);
  try {
    const r = await cli(s.dir, 'split', 'multitask-eval.jsonl', '--eval', '0.2', '--seed', '7', '--stratify', 'task');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^wrote multitask-eval-train\.jsonl \(240 records\) and multitask-eval-eval\.jsonl \(60 records\)$/m);
    assert.match(r.stdout, /add +48 train +12 eval/);
    const train = readFileSync(join(s.dir, 'multitask-eval-train.jsonl'), 'utf8').trim().split('\n');
    const evalLines = readFileSync(join(s.dir, 'multitask-eval-eval.jsonl'), 'utf8').trim().split('\n');
    const source = s.original.trim().split('\n');
    assert.deepEqual([...train, ...evalLines].sort(), [...source].sort());
    for (const task of ['add', 'reverse', 'sort', 'uppercase', 'first_letters']) assert.equal(evalLines.filter((l) => l.includes(`"task":"${task}"`)).length, 12);
    // the same seed again (with --force) gives the same files
    assert.equal((await cli(s.dir, 'split', 'multitask-eval.jsonl', '--eval', '0.2', '--seed', '7', '--stratify', 'task')).code, 2);
    assert.equal((await cli(s.dir, 'split', 'multitask-eval.jsonl', '--eval', '0.2', '--seed', '7', '--stratify', 'task', '--force')).code, 0);
    assert.deepEqual(readFileSync(join(s.dir, 'multitask-eval-eval.jsonl'), 'utf8').trim().split('\n'), evalLines);
    const prefixed = await cli(s.dir, 'split', 'multitask-eval.jsonl', '--eval', '0.1', '-o', 'parts/x');
    assert.equal(prefixed.code, 2, 'a missing output folder is an I/O error');
    assert.equal((await cli(s.dir, 'split', 'multitask-eval.jsonl', '--eval', '0.1', '-o', 'x')).code, 0);
    assert.ok(existsSync(join(s.dir, 'x-train.jsonl')) && existsSync(join(s.dir, 'x-eval.jsonl')));
    assert.equal((await cli(s.dir, 'split', 'multitask-eval.jsonl', '--eval', '1.5')).code, 2);
    assert.equal((await cli(s.dir, 'split', 'multitask-eval.jsonl', '--eval', '0.1', '--stratify', 'language', '-o', 'y')).code, 1);
    assert.equal(readFileSync(join(s.dir, 'multitask-eval.jsonl'), 'utf8'), s.original);
  } finally {
    s.done();
  }
});

test('dedupe: removes repeats (and near ones with --near), reports the lines', async () => {
  const s = scratch();
  try {
    const base = 'Earth has seasons because its axis is tilted by about 23.5 degrees, so as it orbits the Sun each hemisphere in turn leans towards it and gets longer days and more direct light.';
    const lines = [
      JSON.stringify({ instruction: 'Why do we have seasons?', output: base }),
      JSON.stringify({ instruction: 'Name a river.', output: 'The Nile.' }),
      JSON.stringify({ instruction: 'Why do we have seasons?', output: base, id: 3 }),
      JSON.stringify({ instruction: 'why do we have seasons', output: base.replace('about', 'roughly') }),
    ];
    writeFileSync(join(s.dir, 'd.jsonl'), lines.join('\n') + '\n');
    const exact = await cli(s.dir, 'dedupe', 'd.jsonl', '-o', 'e.jsonl');
    assert.equal(exact.code, 0);
    assert.equal(exact.stdout, 'wrote e.jsonl: kept 3 of 4 records; removed 1 duplicate\n  line 3: duplicate of line 1\n');
    assert.deepEqual(readFileSync(join(s.dir, 'e.jsonl'), 'utf8').trim().split('\n'), [lines[0], lines[1], lines[3]]);
    const near = await cli(s.dir, 'dedupe', 'd.jsonl', '-o', 'n.jsonl', '--near');
    assert.match(near.stdout, /kept 2 of 4 records; removed 1 duplicate and 1 near-duplicate\n/);
    assert.match(near.stdout, /line 4: near-duplicate \(\d+%\) of line 1/);
    assert.equal((await cli(s.dir, 'dedupe', 'd.jsonl')).code, 2);
    assert.equal((await cli(s.dir, 'dedupe', 'd.jsonl', '-o', 'x.jsonl', '--threshold', '0.9')).code, 2);
  } finally {
    s.done();
  }
});

test('every dataset command has --help', async () => {
  for (const c of ['validate', 'stats', 'convert', 'split', 'dedupe']) {
    const r = await cli(process.cwd(), c, '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^usage: instruct-studio ${c} `));
  }
});
