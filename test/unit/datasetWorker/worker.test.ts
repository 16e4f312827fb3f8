// The real worker bundle, driven through the host's client in plain Node: what the editor relies on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
