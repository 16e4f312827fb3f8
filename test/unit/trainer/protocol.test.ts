import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChildMessage, parseParentMessage, ProtocolError } from '../../../src/shared/protocol/trainer';

const request = { data: '/d.jsonl', out: '/o', model: 'tiny', resume: false, skipInvalid: false, includeRejected: false, overrides: { lr: 0.001, packing: true, taskWeights: { a: 2 } } };

test('well-formed messages pass both ways and keep their fields', () => {
  assert.deepEqual(parseParentMessage({ type: 'start', request }), { type: 'start', request });
  assert.equal(parseParentMessage({ type: 'cancel' }).type, 'cancel');
  const metrics = { type: 'metrics', row: { step: 10, epoch: 0.5, loss: 2.1, lr: 1e-3, grad_norm: 0.9, tokens_per_second: 900, elapsed_s: 3, per_task: { a: 2 } } };
  assert.deepEqual(parseChildMessage(metrics), metrics);
  const evalMsg = { type: 'eval', row: { split: 'eval', step: 0, epoch: 0, elapsed_s: 1, loss: 5, exact_match: null }, samples: [{ task: 't', prompt: 'p', expected: 'e', output: 'o', unseen: false }] };
  assert.deepEqual(parseChildMessage(evalMsg), evalMsg);
  assert.equal(parseChildMessage({ type: 'done', status: 'stopped', step: 3, outDir: '/o', bestEvalLoss: null, reason: 'cancelled' }).type, 'done');
});

test('malformed messages are rejected with the type and field named', () => {
  const bad: Array<[() => unknown, RegExp]> = [
    [() => parseParentMessage(null), /not an object/],
    [() => parseParentMessage({ type: 'launch' }), /unknown message type "launch"/],
    [() => parseParentMessage({ type: 'start', request: { ...request, out: 3 } }), /"start" message .* field "request"/],
    [() => parseParentMessage({ type: 'start', request: { ...request, overrides: { lr: [1] } } }), /field "request"/],
    [() => parseParentMessage({ type: 'progress', step: 1 }), /unknown message type "progress"/],
    [() => parseChildMessage({ type: 'cancel' }), /unknown message type "cancel"/],
    [() => parseChildMessage({ type: 'metrics', row: { step: '1' } }), /"metrics" message .* field "row"/],
    [() => parseChildMessage({ type: 'progress', step: 1, totalSteps: 2, loss: NaN, tokensPerSecond: 1, etaSeconds: null, elapsedSeconds: 0 }), /field "loss"/],
    [() => parseChildMessage({ type: 'log', level: 'debug', message: 'x' }), /field "level"/],
    [() => parseChildMessage({ type: 'done', status: 'failed', step: 1, outDir: '/o', bestEvalLoss: null, reason: '' }), /field "status"/],
    [() => parseChildMessage({ type: 'eval', row: { split: 'train', step: 0, epoch: 0, elapsed_s: 0, loss: 1, exact_match: 0 }, samples: [] }), /field "row"/],
    [() => parseChildMessage({ type: 'toString' }), /unknown message type/],
  ];
  for (const [f, re] of bad) assert.throws(f, (e: unknown) => e instanceof ProtocolError && re.test((e as Error).message), re.source);
});
