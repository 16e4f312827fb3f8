// `instruct-studio validate`: exit codes 0/1/2, the human line format, the --json shape, one-line I/O errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cli } from './run';

const root = join(__dirname, '..', '..', '..');
const F = 'test/fixtures/datasets';

test('a clean file: exit 0 and a summary line', async () => {
  const r = await cli(root, 'validate', `${F}/good-chat.jsonl`);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${F}/good-chat.jsonl: 3 records, chat, 0 errors, 0 warnings\n`);
  assert.equal(r.stderr, '');
});

test('warnings only: exit 0', async () => {
  const r = await cli(root, 'validate', `${F}/bad-duplicate.jsonl`);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^test\/fixtures\/datasets\/bad-duplicate\.jsonl:2:1 warning duplicate duplicate of line 1/m);
});

test('errors: exit 1, one `file:line:col severity code message` line per problem', async () => {
  const r = await cli(root, 'validate', `${F}/bad-role-order.jsonl`);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 7);
  assert.equal(lines[0], `${F}/bad-role-order.jsonl:2:60 error role-order two user turns in a row (messages 1 and 2)`);
  for (const l of lines.slice(0, 6)) assert.match(l, /^test\/fixtures\/datasets\/bad-role-order\.jsonl:\d+:\d+ (error|warning) role-order \S/);
  assert.equal(lines[6], `${F}/bad-role-order.jsonl: 7 records, chat, 5 errors, 1 warning`);
});

test('--json for one file: an object {file, format, records, problems:[{line, column, severity, code, message}]}', async () => {
  const r = await cli(root, 'validate', '--json', `${F}/bad-missing-field.jsonl`);
  assert.equal(r.code, 1);
  const obj = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(obj), ['file', 'format', 'records', 'problems']);
  assert.deepEqual(obj, {
    file: `${F}/bad-missing-field.jsonl`, format: 'alpaca', records: 3,
    problems: [{ line: 2, column: 2, severity: 'error', code: 'missing-field', message: 'missing "instruction"; "instrution" looks like a misspelling of it' }],
  });
});

test('--json for several files: an array, in argument order', async () => {
  const r = await cli(root, 'validate', '--json', `${F}/good-alpaca.jsonl`, `${F}/bad-too-long.jsonl`);
  assert.equal(r.code, 0);
  const arr = JSON.parse(r.stdout);
  assert.ok(Array.isArray(arr));
  assert.deepEqual(arr.map((x: { file: string; problems: unknown[] }) => [x.file, x.problems.length]), [[`${F}/good-alpaca.jsonl`, 0], [`${F}/bad-too-long.jsonl`, 1]]);
});

test('--format and --max-tokens reach the validator', async () => {
  const forced = await cli(root, 'validate', '--format', 'completion', `${F}/good-alpaca.jsonl`);
  assert.equal(forced.code, 1);
  assert.match(forced.stdout, /mixed-format/);
  const tight = await cli(root, 'validate', '--max-tokens', '10', `${F}/good-alpaca.jsonl`);
  assert.equal(tight.code, 0);
  assert.equal((tight.stdout.match(/too-long/g) ?? []).length, 3);
});

test('--near finds similar records by MinHash; --near-threshold needs --near', async () => {
  const plain = await cli(root, 'validate', `${F}/bad-near-duplicate.jsonl`);
  assert.doesNotMatch(plain.stdout, /warning near-duplicate/);
  const near = await cli(root, 'validate', '--near', `${F}/bad-near-duplicate.jsonl`);
  assert.equal(near.code, 0);
  assert.match(near.stdout, /bad-near-duplicate\.jsonl:3:1 warning near-duplicate near-duplicate of line 1 \(~\d+% similar/);
  assert.doesNotMatch((await cli(root, 'validate', '--near', '--near-threshold', '0.99', `${F}/bad-near-duplicate.jsonl`)).stdout, /warning near-duplicate/);
  assert.equal((await cli(root, 'validate', '--near-threshold', '0.5', `${F}/bad-near-duplicate.jsonl`)).code, 2);
});

test('a missing file or a directory: exit 2, one stderr line naming it, the other files still validated', async () => {
  const r = await cli(root, 'validate', 'no/such/file.jsonl', `${F}/good-alpaca.jsonl`, 'test');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'instruct-studio validate: no/such/file.jsonl: no such file or directory\ninstruct-studio validate: test: is a directory, expected a dataset file\n');
  assert.match(r.stdout, /good-alpaca\.jsonl: 3 records/);
});

test('usage errors: exit 2 with the usage line', async () => {
  for (const argv of [['validate'], ['validate', '--format', 'csv', 'x.jsonl'], ['validate', '--max-tokens', '0', 'x.jsonl'], ['validate', '--bogus', 'x']]) {
    const r = await cli(root, ...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, /usage: instruct-studio validate FILE/);
  }
});

test('as a process: exit status 2 and a single stderr line, no stack trace', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate', 'missing.jsonl'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'instruct-studio validate: missing.jsonl: no such file or directory\n');
  assert.equal(r.stdout, '');
});
