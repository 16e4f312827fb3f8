import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setValue, removeValue, swapValues, LineEditError } from '../../../src/core/annotate/jsonLineEdit';

test('replacing an existing value changes only its span (key order, spacing and escapes kept)', () => {
  const line = '{"z":1,  "instruction" : "Say hi\\u0021",   "output":"hi", "extra": {"k": [1,2]}}';
  assert.equal(setValue(line, ['output'], 'hello "you"'), '{"z":1,  "instruction" : "Say hi\\u0021",   "output":"hello \\"you\\"", "extra": {"k": [1,2]}}');
});

test('a missing nested key is appended in the line\'s own compact style', () => {
  const line = '{"instruction":"a","output":"b"}';
  assert.equal(setValue(line, ['review', 'status'], 'accepted'), '{"instruction":"a","output":"b","review":{"status":"accepted"}}');
});

test('a missing nested key is appended in the spaced style of JSON.stringify-with-spaces files', () => {
  const line = '{"instruction": "a", "output": "b"}';
  assert.equal(setValue(line, ['review', 'status'], 'accepted'), '{"instruction": "a", "output": "b", "review": {"status": "accepted"}}');
});

test('a key added to an existing object goes after its last member', () => {
  const line = '{"a": "x", "review": {"status": "accepted", "who": "me"}, "b": 2}';
  assert.equal(setValue(line, ['review', 'rating'], 4), '{"a": "x", "review": {"status": "accepted", "who": "me", "rating": 4}, "b": 2}');
});

test('setting into an empty object and into an array index', () => {
  assert.equal(setValue('{"review": {}}', ['review', 'note'], 'n'), '{"review": {"note": "n"}}');
  assert.equal(setValue('{"messages": [{"role": "user", "content": "a"}]}', ['messages', 0, 'content'], 'b'), '{"messages": [{"role": "user", "content": "b"}]}');
});

test('setting below a non-object names the field', () => {
  assert.throws(() => setValue('{"review": "ok"}', ['review', 'status'], 'accepted'), (e: unknown) => e instanceof LineEditError && /review is a string/.test(e.message) && e.field === 'review');
  assert.throws(() => setValue('{"a": 1', ['a'], 2), /not valid JSON/);
});

test('removing a member takes its separator with it', () => {
  assert.equal(removeValue('{"a": 1, "b": 2, "c": 3}', ['b']), '{"a": 1, "c": 3}');
  assert.equal(removeValue('{"a": 1, "b": 2, "c": 3}', ['a']), '{"b": 2, "c": 3}');
  assert.equal(removeValue('{"a": 1, "b": 2, "c": 3}', ['c']), '{"a": 1, "b": 2}');
  assert.equal(removeValue('{"a": {"x": 1}}', ['a', 'x']), '{"a": {}}');
  assert.equal(removeValue('{"a": 1}', ['zz']), '{"a": 1}');
});

test('swapping exchanges the raw value texts and nothing else', () => {
  const line = '{"prompt": "p", "chosen":"good \\n one", "meta": {"id": 7}, "rejected": [{"role":"assistant","content":"x"}]}';
  assert.equal(swapValues(line, ['chosen'], ['rejected']), '{"prompt": "p", "chosen":[{"role":"assistant","content":"x"}], "meta": {"id": 7}, "rejected": "good \\n one"}');
  assert.equal(swapValues(swapValues(line, ['chosen'], ['rejected']), ['chosen'], ['rejected']), line);
});
