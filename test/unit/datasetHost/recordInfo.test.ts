import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordInfo, HOVER_MAX_LINE_CHARS } from '../../../src/host/dataset/recordInfo';

test('alpaca: prompt is instruction + input, response is output, counted in UTF-8 bytes', () => {
  const info = recordInfo('{"instruction": "Add 2 and 3.", "input": "é", "output": "5", "id": 7}');
  assert.deepEqual(info, { kind: 'record', format: 'alpaca', guessed: false, promptTokens: 12 + 2, responseTokens: 1, keys: ['instruction', 'input', 'output', 'id'] });
});

test('chat: user and system turns are prompt, assistant turns response; special tokens count once', () => {
  const info = recordInfo(JSON.stringify({ messages: [
    { role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi<|eos|>' }, { role: 'assistant', content: 'hello' },
  ] }));
  assert.equal(info.kind, 'record');
  if (info.kind !== 'record') return;
  assert.equal(info.format, 'chat');
  assert.equal(info.promptTokens, 9 + 3);
  assert.equal(info.responseTokens, 5);
});

test('preference: chosen is the response, rejected is counted apart', () => {
  const info = recordInfo('{"prompt": "Pick", "chosen": "good", "rejected": "worse!"}');
  assert.ok(info.kind === 'record');
  assert.deepEqual([info.format, info.promptTokens, info.responseTokens, info.rejectedTokens], ['preference', 4, 4, 6]);
});

test('a misspelled record is guessed from the file format; broken and blank lines say so', () => {
  const guessed = recordInfo('{"instrution": "Say hi.", "output": "Hi"}', 'alpaca');
  assert.ok(guessed.kind === 'record');
  assert.equal(guessed.format, 'alpaca');
  assert.equal(guessed.guessed, true);
  assert.equal(guessed.responseTokens, 2);
  assert.deepEqual(recordInfo('   '), { kind: 'blank' });
  const broken = recordInfo('{"instruction": ');
  assert.ok(broken.kind === 'invalid' && broken.reason.startsWith('not valid JSON'));
  assert.deepEqual(recordInfo('[1, 2]'), { kind: 'invalid', reason: 'not a JSON object' });
  assert.deepEqual(recordInfo('x'.repeat(HOVER_MAX_LINE_CHARS + 1)), { kind: 'too-long', chars: HOVER_MAX_LINE_CHARS + 1 });
  // A BOM on the first line is not part of the record.
  assert.equal(recordInfo('\ufeff{"prompt": "a", "completion": "b"}').kind, 'record');
});
