// The real worker bundle, driven through the host's client in plain Node: what the editor relies on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { DatasetWorkerClient, WorkerCancelledError } from '../../../src/host/dataset/workerClient';

let dir: string;
let client: DatasetWorkerClient;
const logged: string[] = [];

const LINES = [
  '{"instruction": "Add 2 and 3.", "input": "", "output": "5"}',
  '{"instruction": "Name a colour.", "output": "Blue — like the sky."}',
  '{"instruction": "Add 2 and 3.", "input": "", "output": "5"}',
  '{"instrution": "Say hi.", "output": "Hi"}',
  '{"instruction": "Trim me.", "output": "done "}',
  '{"instruction": "broken", ',
];
const TEXT = LINES.join('\n') + '\n';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'is-worker-'));
  await build({
    entryPoints: ['src/host/workers/datasetWorker.ts'], outfile: join(dir, 'datasetWorker.js'),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent',
  });
  client = new DatasetWorkerClient(join(dir, 'datasetWorker.js'), 'test worker', {
    info: (m) => logged.push(m), error: (m) => logged.push(`ERROR ${m}`),
  });
});

after(() => {
  client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function lineCodes(problems: Array<{ line: number; code: string }>): string[] {
  return problems.map((p) => `${p.line}:${p.code}`);
}

test('a buffer sent as text is validated with line-accurate problems', async () => {
  const { summary } = await client.request({ type: 'validateText', file: '/x/data.jsonl', content: { text: TEXT }, options: { nearDuplicates: false }, maxProblems: 100 });
  assert.equal(summary.file, '/x/data.jsonl');
  assert.equal(summary.format, 'alpaca');
  assert.equal(summary.records, 6);
  const codes = lineCodes(summary.problems);
  for (const expected of ['3:duplicate', '4:missing-field', '5:trailing-whitespace', '6:json-parse']) assert.ok(codes.includes(expected), `${expected} in ${codes.join(', ')}`);
  assert.ok(!codes.some((c) => c.startsWith('1:') || c.startsWith('2:')), 'valid records have no problems');
  assert.equal(summary.truncated, false);
  assert.equal(summary.errors, summary.problems.filter((p) => p.severity === 'error').length);
  const dup = summary.problems.find((p) => p.code === 'duplicate')!;
  assert.deepEqual(dup.data, { firstLine: 1 });
});

test('a big buffer sent as UTF-8 chunks cut inside characters gives the same answer', async () => {
  const bytes = new TextEncoder().encode(TEXT);
  // Cut every 7 bytes: the em dash (3 bytes in UTF-8) is split across chunks.
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.slice(i, i + 7));
  const asText = await client.request({ type: 'validateText', file: 'a', content: { text: TEXT }, options: { nearDuplicates: false }, maxProblems: 100 });
  const asChunks = await client.request({ type: 'validateText', file: 'a', content: { chunks }, options: { nearDuplicates: false }, maxProblems: 100 });
  assert.deepEqual(asChunks.summary, asText.summary);
  // Transferred, not copied: the host's buffers are detached afterwards.
  assert.equal(chunks[0].byteLength, 0);
});

test('maxProblems cuts the list but not the counts', async () => {
  const { summary } = await client.request({ type: 'validateText', file: 'a', content: { text: TEXT }, options: { nearDuplicates: false }, maxProblems: 1 });
  assert.equal(summary.problems.length, 1);
  assert.equal(summary.truncated, true);
  assert.ok(summary.errors + summary.warnings >= 4);
});

test('settings reach the validator: maxTokens turns on too-long', async () => {
  const text = '{"instruction": "Explain.", "output": "' + 'a'.repeat(300) + '"}\n';
  const loose = await client.request({ type: 'validateText', file: 'a', content: { text }, options: { maxTokens: 2048 }, maxProblems: 10 });
  const tight = await client.request({ type: 'validateText', file: 'a', content: { text }, options: { maxTokens: 100 }, maxProblems: 10 });
  assert.deepEqual(lineCodes(loose.summary.problems), []);
  assert.deepEqual(lineCodes(tight.summary.problems), ['1:too-long']);
});

test('a file is validated from disk; a missing one fails naming the file', async () => {
  const path = join(dir, 'data.jsonl');
  writeFileSync(path, '\ufeff' + LINES.join('\r\n') + '\r\n');
  const { summary } = await client.request({ type: 'validateFile', path, options: { nearDuplicates: false }, maxProblems: 100 });
  assert.equal(summary.records, 6);
  assert.ok(lineCodes(summary.problems).includes('4:missing-field'));
  const missing = join(dir, 'nope.jsonl');
  await assert.rejects(
    client.request({ type: 'validateFile', path: missing, options: {}, maxProblems: 10 }),
    (e: Error) => e.message === `${missing}: no such file or directory`,
  );
});

test('a malformed request is answered with a clear failure, and the worker keeps serving', async () => {
  await assert.rejects(
    client.request({ type: 'validateText', file: 'a', content: { text: TEXT }, options: { maxTokens: -1 }, maxProblems: 10 }),
    /"validateText" message has a missing or malformed field "options"/,
  );
  const ok = await client.request({ type: 'validateText', file: 'a', content: { text: LINES[0] }, options: {}, maxProblems: 10 });
  assert.equal(ok.summary.records, 1);
});

test('cancelAll rejects what is in flight and the next request starts a fresh worker', async () => {
  const big = (LINES[0] + '\n').repeat(20000);
  const inFlight = client.request({ type: 'validateText', file: 'a', content: { text: big }, options: {}, maxProblems: 10 });
  client.cancelAll('superseded');
  await assert.rejects(inFlight, (e) => e instanceof WorkerCancelledError && e.message === 'superseded');
  const again = await client.request({ type: 'validateText', file: 'a', content: { text: LINES[1] }, options: {}, maxProblems: 10 });
  assert.equal(again.summary.records, 1);
  assert.ok(logged.filter((m) => m === 'started test worker').length >= 2, 'a second worker was started');
});

const CLEAN = [
  '{"instruction": "Add 2 and 3.", "input": "", "output": "5", "task": "math", "id": "a1"}',
  '{"instruction": "Name a colour.", "output": "Blue.", "task": "words", "id": "a2"}',
  '{"instruction": "Add 2 and 3.", "input": "", "output": "5", "task": "math", "id": "a1"}',
  '{"instruction": "Add 4 and 4.", "output": "8", "task": "math", "id": "a3"}',
];

function writeClean(name: string, lines = CLEAN): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test('statistics of a file on disk and of an unsaved buffer', async () => {
  const path = writeClean('stats.jsonl');
  const { stats } = await client.request({ type: 'stats', file: path, options: { nearDuplicates: false } });
  assert.equal(stats.records, 4);
  assert.equal(stats.format, 'alpaca');
  assert.equal(stats.formats.alpaca, 4);
  assert.equal(stats.duplicates, 1);
  assert.deepEqual(stats.tasks, { field: 'task', counts: { math: 3, words: 1 } });
  assert.equal(stats.responseTokens.max, 5);
  // The buffer wins over the file when given: here one record fewer than on disk.
  const buffer = await client.request({ type: 'stats', file: path, content: { text: CLEAN.slice(0, 3).join('\n') }, options: {} });
  assert.equal(buffer.stats.records, 3);
});

test('convert writes a new file with unknown keys kept and leaves the input byte-identical', async () => {
  const input = writeClean('conv.jsonl');
  const before = readFileSync(input);
  const output = join(dir, 'conv.chat.jsonl');
  const r = await client.request({ type: 'convert', input, output, to: 'chat' });
  assert.deepEqual(r.outputs, [{ path: output, records: 4 }]);
  const first = JSON.parse(readFileSync(output, 'utf8').split('\n')[0]);
  assert.deepEqual(first.messages.map((m: { role: string }) => m.role), ['user', 'assistant']);
  assert.equal(first.task, 'math');
  assert.equal(first.id, 'a1');
  assert.deepEqual(readFileSync(input), before);
  // Never over an existing file.
  await assert.rejects(client.request({ type: 'convert', input, output, to: 'chat' }), /already exists/);
});

test('convert refuses a file with broken lines and writes nothing', async () => {
  const input = writeClean('broken.jsonl', [CLEAN[0], '{"instruction": ']);
  const output = join(dir, 'broken.chat.jsonl');
  await assert.rejects(client.request({ type: 'convert', input, output, to: 'chat' }), (e: Error) => e.message.includes(`${input}:2:`));
  assert.equal(existsSync(output), false);
});

test('split writes train and eval under the prefix; dedupe drops the repeat', async () => {
  const input = writeClean('split.jsonl');
  const r = await client.request({ type: 'split', input, prefix: join(dir, 'split'), evalFraction: 0.25, seed: 7 });
  assert.deepEqual(r.outputs.map((o) => o.path), [join(dir, 'split-train.jsonl'), join(dir, 'split-eval.jsonl')]);
  assert.equal(r.outputs[0].records + r.outputs[1].records, 4);
  assert.equal(r.outputs[1].records, 1);
  const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean);
  assert.deepEqual([...lines(r.outputs[0].path), ...lines(r.outputs[1].path)].sort(), [...CLEAN].sort());

  const output = join(dir, 'split.dedup.jsonl');
  const d = await client.request({ type: 'dedupe', input, output, near: false, options: {} });
  assert.equal(d.dropped, 1);
  assert.deepEqual(lines(output), [CLEAN[0], CLEAN[1], CLEAN[3]]);
});
