// Conversions between formats: round trips keep content and unknown keys; impossible conversions say why and where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversionError, convertRecord, convertRecords, detectFormat, validateText } from '../../../src/core/dataset/index';

const alpaca = { instruction: 'Name a planet.', input: '', output: 'Mars.', id: 'r1', meta: { source: 'quiz', tags: ['space'] } };

test('alpaca → chat → alpaca keeps content and unknown keys', () => {
  const chat = convertRecord(alpaca, 'chat');
  assert.equal(detectFormat(chat), 'chat');
  assert.deepEqual(chat.messages, [{ role: 'user', content: 'Name a planet.' }, { role: 'assistant', content: 'Mars.' }]);
  assert.equal(chat.id, 'r1');
  assert.deepEqual(chat.meta, alpaca.meta);
  assert.deepEqual(convertRecord(chat, 'alpaca'), alpaca);
});

test('alpaca → completion → alpaca, and the input is joined into the prompt', () => {
  assert.deepEqual(convertRecord(convertRecord(alpaca, 'completion'), 'alpaca'), alpaca);
  const withInput = convertRecord({ instruction: 'Translate into French.', input: 'Good night.', output: 'Bonne nuit.', lang: 'fr' }, 'completion');
  assert.deepEqual(withInput, { prompt: 'Translate into French.\n\nGood night.', completion: 'Bonne nuit.', lang: 'fr' });
});

test('a system prompt survives alpaca ↔ chat as a `system` key', () => {
  const chat = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }], topic: 'greeting' };
  const a = convertRecord(chat, 'alpaca');
  assert.deepEqual(a, { instruction: 'Hi', input: '', output: 'Hello.', topic: 'greeting', system: 'Be brief.' });
  assert.deepEqual(convertRecord(a, 'chat'), { messages: chat.messages, topic: 'greeting' });
});

test('preference → alpaca keeps the rejected answer, so alpaca → preference restores the pair', () => {
  const pref = { prompt: 'What is 7 × 6?', chosen: '42.', rejected: '48.', reason: 'arithmetic' };
  const a = convertRecord(pref, 'alpaca');
  assert.deepEqual(a, { instruction: 'What is 7 × 6?', input: '', output: '42.', reason: 'arithmetic', rejected: '48.' });
  assert.equal(detectFormat(a), 'alpaca');
  assert.deepEqual(convertRecord(a, 'preference'), pref);
});

test('preference with message lists → chat → preference', () => {
  const pref = { prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of Chile?' }], chosen: [{ role: 'assistant', content: 'Santiago.' }], rejected: [{ role: 'assistant', content: 'Lima.' }], id: 9 };
  const chat = convertRecord(pref, 'chat');
  assert.deepEqual(chat.messages, [...pref.prompt, ...pref.chosen]);
  const back = convertRecord(chat, 'preference');
  assert.deepEqual(back, { prompt: pref.prompt, chosen: 'Santiago.', rejected: pref.rejected, id: 9 });
  assert.deepEqual(validateText(JSON.stringify(back)).problems, []);
});

test('what cannot be converted is refused with the reason and the line', () => {
  const multi = { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }, { role: 'assistant', content: 'd' }] };
  assert.throws(() => convertRecord(multi, 'alpaca', { line: 12 }), (e: Error) => e instanceof ConversionError && /^line 12: a conversation with 2 user turns/.test(e.message) && /keep it as chat/.test(e.message));
  assert.throws(() => convertRecord(alpaca, 'preference'), /no rejected answer/);
  assert.throws(() => convertRecord({ question: 'q' }, 'chat'), /fits no known format/);
  const tools = { messages: [{ role: 'user', content: 'w' }, { role: 'assistant', content: null, tool_calls: [] }, { role: 'tool', content: '{}' }, { role: 'assistant', content: 'x' }] };
  assert.throws(() => convertRecord(tools, 'completion'), /tool turns/);
});

test('convertRecords converts what it can and lists every failure with its line', () => {
  const { converted, failures } = convertRecords([
    { line: 1, value: alpaca },
    { line: 2, value: { prompt: 'p', completion: 'c' } },
    { line: 3, value: { messages: [{ role: 'assistant', content: 'hi' }] } },
  ], 'alpaca');
  assert.equal(converted.length, 2);
  assert.deepEqual(failures.map((f) => f.line), [3]);
});

test('converting to the same format returns the record unchanged', () => {
  assert.equal(convertRecord(alpaca, 'alpaca'), alpaca);
});
