// Template errors carry the line and column of the template source, whatever stage of the engine failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, createRenderer, RenderError, TemplateError } from '../../../src/core/template/index';

function compileError(source: string): TemplateError {
  try { compileTemplate(source, 'chat_template.jinja'); } catch (e) { assert.ok(e instanceof TemplateError, String(e)); return e; }
  assert.fail('expected a TemplateError');
}

function renderError(source: string, variables: Record<string, unknown>): TemplateError {
  const t = compileTemplate(source, 'chat_template.jinja');
  try { t.render(variables); } catch (e) { assert.ok(e instanceof TemplateError, String(e)); return e; }
  assert.fail('expected a TemplateError');
}

const at = (e: TemplateError) => [e.line, e.column];

test('a syntax error inside an expression points at the offending token', () => {
  const e = compileError('{{ bos_token }}\n{% for m in messages %}\n  {{ m.content + }}\n{% endfor %}');
  assert.deepEqual(at(e), [3, 18]);
  assert.match(e.reason, /'}}'/);
  assert.equal(e.message, `chat_template.jinja:3:18: ${e.reason}`);
});

test('a block that is never closed is reported at its opening tag', () => {
  const e = compileError('first line\n\n   {% for m in messages %}\n{{ m.content }}\n');
  assert.deepEqual(at(e), [3, 4]);
  assert.match(e.reason, /\{% for %\} is never closed/);
});

test('an unknown statement and an unterminated string are placed on their line', () => {
  assert.deepEqual(at(compileError('ok\n{% frobnicate %}')), [2, 4]);
  const e = compileError("a\nb\n  {{ 'unterminated }}\nc");
  assert.equal(e.line, 3);
  assert.equal(e.column, 3);
});

test('a closing tag that does not match says which block is still open', () => {
  const e = compileError("{% for m in messages %}\n  {% if m.role == 'user' %}x\n{% endfor %}");
  assert.deepEqual(at(e), [3, 1]);
  assert.equal(e.reason, 'unexpected {% endfor %}: {% if %} at 2:3 is still open');
  assert.equal(compileError('a\n{% endif %}').reason, '{% endif %} without a matching {% if %}');
});

test('a mismatched closing delimiter names both delimiters', () => {
  const e = compileError('hello {{ name | upper }\n');
  assert.equal(e.line, 1);
  assert.match(e.reason, /expected '}}', found '}'/);
});

test("raise_exception's message and the line of the call that raised it", () => {
  const src = "{% for m in messages %}\n{% if m.role not in ['user', 'assistant'] %}\n    {{ raise_exception('Unsupported role: ' + m.role) }}\n{% endif %}{% endfor %}";
  const e = renderError(src, { messages: [{ role: 'robot', content: 'x' }] });
  assert.equal(e.reason, 'raise_exception: Unsupported role: robot');
  assert.deepEqual(at(e), [3, 5]);
});

test('a literal raise_exception message is found even among several calls', () => {
  const src = "{{ raise_exception('a') if x == 1 }}\n{% if x == 2 %}{{ raise_exception('b') }}{% endif %}";
  assert.deepEqual(at(renderError(src, { x: 2 })), [2, 16]);
});

test('a runtime failure is placed at the tag that was running, an elif test included', () => {
  const e = renderError('{% for m in messages %}\nline two {{ m.content | nosuchfilter }}\n{% endfor %}', { messages: [{ role: 'u', content: 'x' }] });
  assert.deepEqual(at(e), [2, 10]);
  assert.match(e.reason, /nosuchfilter/);
  const elif = renderError("{% if x == 1 %}a\n{% elif x.nosuch() %}b{% endif %}", { x: 2 });
  assert.deepEqual(at(elif), [2, 1]);
});

test('whitespace control and trimmed blocks before the failure do not shift the line', () => {
  const src = '{#- a comment\n   on two lines -#}\n{%- set a = 1 -%}\n\n   {%- if a %}\n  {{- undefined_fn() }}\n{%- endif %}';
  assert.deepEqual(at(renderError(src, {})), [6, 3]);
});

test('a record the template refuses is a RenderError carrying the template position', () => {
  const r = createRenderer({ preset: 'gemma' });
  try {
    r.render({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }] });
    assert.fail('expected a RenderError');
  } catch (e) {
    assert.ok(e instanceof RenderError);
    assert.equal(e.field, 'messages');
    assert.equal(e.templateError?.reason, 'raise_exception: System role not supported');
    assert.deepEqual([e.templateError?.line, e.templateError?.column], [1, 56]);
  }
});

test('a broken template fails when the renderer is created, with the file name', () => {
  assert.throws(
    () => createRenderer({ template: '{% if messages %}', templateName: 'my.jinja' }),
    (e: unknown) => e instanceof TemplateError && e.templateName === 'my.jinja' && e.line === 1 && /never closed/.test(e.reason),
  );
});
