import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostMessage, parseWebviewMessage, ProtocolError } from '../../../src/shared/protocol/annotator';
import { recordView, rowView } from '../../../src/core/annotate/recordView';

test('webview messages are accepted only in their exact shape', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'action', line: 3, action: { kind: 'swap' } }), { type: 'action', line: 3, action: { kind: 'swap' } });
  assert.throws(() => parseWebviewMessage({ type: 'action', line: -1, action: { kind: 'swap' } }), /malformed field "line"/);
  assert.throws(() => parseWebviewMessage({ type: 'action', line: 1, action: { kind: 'rate', rating: 9 } }), /malformed field "action"/);
  assert.throws(() => parseWebviewMessage({ type: 'getRows', start: 0, count: 100000 }), /"count"/);
  assert.throws(() => parseWebviewMessage({ type: 'setFilter', filter: { status: 'accepted', evil: 1 } }), /"filter"/);
  assert.throws(() => parseWebviewMessage({ type: 'eval', code: '1' }), (e: unknown) => e instanceof ProtocolError && /unknown message type "eval"/.test(e.message));
  assert.throws(() => parseWebviewMessage('ready'), /not an object/);
});

test('host messages built from real view models pass the webview-side check', () => {
  const text = '{"prompt": "p", "responses": ["a", "b", "c"], "ranking": [2, 0, 1], "review": {"status": "accepted", "rating": 5}}';
  const view = recordView(4, text);
  assert.equal(parseHostMessage({ type: 'record', version: 2, position: 0, view }).type, 'record');
  assert.equal(parseHostMessage({ type: 'rows', version: 2, start: 0, rows: [rowView(4, text, 1)] }).type, 'rows');
  assert.throws(() => parseHostMessage({ type: 'rows', version: 2, start: 0, rows: [{ line: 'x' }] }), /"rows"/);
});
