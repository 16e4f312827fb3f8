import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionPlace } from '../../../webview/templateEditor/completionContext';
import { visibleText } from '../../../webview/templateEditor/tokenText';

test('completion place: text, code, and member access', () => {
  assert.deepEqual(completionPlace('Hello '), { in: 'text' });
  assert.deepEqual(completionPlace('{{ x }} and '), { in: 'text' });
  assert.deepEqual(completionPlace('{{ mes'), { in: 'code', member: false });
  assert.deepEqual(completionPlace('{% for m in messages %}{{ m.'), { in: 'code', member: true });
  assert.deepEqual(completionPlace('{% for m in messages %}{{ m.con'), { in: 'code', member: true });
  assert.deepEqual(completionPlace('{% if x %}'), { in: 'text' });
  assert.deepEqual(completionPlace('{{ 1.'), { in: 'code', member: false });
});

test('newlines and tabs in tokens are shown with a mark, the text kept', () => {
  assert.equal(visibleText('a\nb'), 'a↵\nb');
  assert.equal(visibleText('\r\n'), '↵\n');
  assert.equal(visibleText('\t'), '→\t');
});
