import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimalReplace } from '../../../src/host/templateEditor/minimalEdit';

function apply(before: string, after: string): string {
  const r = minimalReplace(before, after);
  return r ? before.slice(0, r.start) + r.text + before.slice(r.end) : before;
}

test('equal texts need no edit', () => {
  assert.equal(minimalReplace('abc', 'abc'), undefined);
  assert.equal(minimalReplace('', ''), undefined);
});

test('only the changed middle is replaced', () => {
  assert.deepEqual(minimalReplace('{{ messages }}', '{{ message }}'), { start: 10, end: 11, text: '' });
  assert.deepEqual(minimalReplace('ab', 'aXb'), { start: 1, end: 1, text: 'X' });
  assert.deepEqual(minimalReplace('aaaa', 'aa'), { start: 2, end: 4, text: '' });
  assert.deepEqual(minimalReplace('', 'new'), { start: 0, end: 0, text: 'new' });
  assert.deepEqual(minimalReplace('old', ''), { start: 0, end: 3, text: '' });
});

test('applying the edit always gives the new text', () => {
  const texts = ['', 'a', 'ab', 'ba', 'aaa', 'abcabc', 'x\r\ny', 'x\ny', '😀', 'a😀b', '😁', '{% if x %}\r\n{{ y }}\r\n{% endif %}'];
  for (const a of texts) for (const b of texts) assert.equal(apply(a, b), b, `${JSON.stringify(a)} → ${JSON.stringify(b)}`);
});

test('never cuts a surrogate pair or a CRLF in two', () => {
  // 😀 and 😁 share their high surrogate: the replacement must take the whole character
  const r = minimalReplace('a😀b', 'a😁b')!;
  assert.deepEqual(r, { start: 1, end: 3, text: '😁' });
  const crlf = minimalReplace('x\r\ny', 'x\ny')!;
  assert.equal(crlf.start <= 1 && crlf.end >= 3, true, JSON.stringify(crlf));
  const crlf2 = minimalReplace('a\r\n', 'a\n')!;
  assert.equal(apply('a\r\n', 'a\n'), 'a\n');
  assert.ok(crlf2.start <= 1);
});
