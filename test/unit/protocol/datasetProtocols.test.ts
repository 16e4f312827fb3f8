import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkerRequest, parseWorkerResponse, contentText, requestIdOf } from '../../../src/shared/protocol/datasetWorker';
import { parseHostToStatsView, parseStatsViewToHost, parseStatsViewState, isDatasetStats } from '../../../src/shared/protocol/datasetStats';
import type { DatasetStats } from '../../../src/core/dataset/types';

const lengths = { count: 2, mean: 5, min: 3, p50: 5, p90: 7, p99: 7, max: 7, histogram: { edges: [0, 4, 8], counts: [1, 1] } };
const stats: DatasetStats = {
  file: 'd.jsonl', format: 'alpaca', records: 2, invalid: 0,
  formats: { alpaca: 2, chat: 0, completion: 0, preference: 0, unknown: 0 },
  tasks: { field: 'task', counts: { add: 1, colour: 1 } },
  tokenizer: 'byte-level', promptTokens: lengths, responseTokens: lengths,
  duplicates: 0, duplicateRate: 0, nearDuplicates: 0, nearDuplicateRate: 0, empty: 0, emptyRate: 0, errors: 0, warnings: 0,
};

test('worker requests: valid ones pass through unchanged, each malformed field is named', () => {
  const req = { type: 'validateText', id: 3, file: 'a.jsonl', content: { text: 'x' }, options: { maxTokens: 10 }, maxProblems: 5 };
  assert.equal(parseWorkerRequest(req), req);
  const chunked = { ...req, content: { chunks: [new Uint8Array([120])] } };
  assert.equal(parseWorkerRequest(chunked), chunked);
  assert.throws(() => parseWorkerRequest({ ...req, content: { chunks: ['x'] } }), /malformed field "content"/);
  assert.throws(() => parseWorkerRequest({ ...req, options: { nearDuplicateThreshold: 2 } }), /malformed field "options"/);
  assert.throws(() => parseWorkerRequest({ ...req, options: { format: 'csv' } }), /malformed field "options"/);
  assert.throws(() => parseWorkerRequest({ ...req, maxProblems: 0 }), /malformed field "maxProblems"/);
  assert.throws(() => parseWorkerRequest({ ...req, id: 'x' }), /malformed field "id"/);
  assert.throws(() => parseWorkerRequest({ ...req, type: 'rm -rf' }), /unknown message type "rm -rf"/);
  assert.throws(() => parseWorkerRequest(null), /not an object/);
  assert.throws(() => parseWorkerRequest({ type: 'split', id: 1, input: 'a', prefix: 'b', evalFraction: 1, seed: 1 }), /"evalFraction"/);
  assert.throws(() => parseWorkerRequest({ type: 'convert', id: 1, input: 'a', output: 'b', to: 'xml' }), /"to"/);
  assert.equal(requestIdOf({ id: 9 }), 9);
  assert.equal(requestIdOf({ id: 'nine' }), undefined);
});

test('worker answers: problems are checked one by one', () => {
  const problem = { line: 3, column: 1, endColumn: 5, severity: 'warning', code: 'duplicate', message: 'same as line 1', data: { firstLine: 1 } };
  const ok = { type: 'validated', id: 1, summary: { file: 'a', format: 'alpaca', records: 3, problems: [problem], errors: 0, warnings: 1, truncated: false } };
  assert.equal(parseWorkerResponse(ok), ok);
  const bad = (p: object) => ({ ...ok, summary: { ...ok.summary, problems: [{ ...problem, ...p }] } });
  assert.throws(() => parseWorkerResponse(bad({ line: 0 })), /malformed field "summary"/);
  assert.throws(() => parseWorkerResponse(bad({ code: 'oops' })), /malformed field "summary"/);
  assert.throws(() => parseWorkerResponse(bad({ severity: 'fatal' })), /malformed field "summary"/);
  assert.equal(parseWorkerResponse({ type: 'failed', id: 2, message: 'x' }).type, 'failed');
  assert.equal(parseWorkerResponse({ type: 'stats', id: 2, stats }).type, 'stats');
  assert.throws(() => parseWorkerResponse({ type: 'stats', id: 2, stats: { ...stats, promptTokens: { ...lengths, histogram: { edges: [0], counts: [1] } } } }), /"stats"/);
  assert.equal(parseWorkerResponse({ type: 'written', id: 4, outputs: [{ path: 'o', records: 2 }], dropped: 0 }).type, 'written');
});

test('chunked content decodes across split characters', () => {
  const bytes = new TextEncoder().encode('é🎉x');
  assert.equal(contentText({ chunks: [bytes.slice(0, 1), bytes.slice(1, 4), bytes.slice(4)] }), 'é🎉x');
  assert.equal(contentText({ text: 'plain' }), 'plain');
});

test('stats view messages and state', () => {
  assert.equal(parseHostToStatsView({ type: 'stats', file: 'd.jsonl', stats }).type, 'stats');
  assert.throws(() => parseHostToStatsView({ type: 'stats', file: 'd.jsonl', stats: { ...stats, records: '2' } }), /malformed field "stats"/);
  assert.throws(() => parseHostToStatsView({ type: 'stats', file: 'd.jsonl', stats: { ...stats, tasks: { field: 'kind', counts: {} } } }), /"stats"/);
  assert.equal(parseHostToStatsView({ type: 'error', file: 'd', message: 'm' }).type, 'error');
  assert.throws(() => parseHostToStatsView({ type: 'error', file: 'd' }), /malformed field "message"/);
  assert.equal(parseStatsViewToHost({ type: 'refresh' }).type, 'refresh');
  assert.throws(() => parseStatsViewToHost({ type: 'runCommand', command: 'x' }), /unknown message type/);
  assert.deepEqual(parseStatsViewState({ uri: 'file:///d.jsonl', extra: 1 }), { uri: 'file:///d.jsonl' });
  assert.equal(parseStatsViewState({ uri: '' }), undefined);
  assert.equal(parseStatsViewState(undefined), undefined);
  assert.equal(isDatasetStats({ ...stats, tasks: undefined }), true);
});
