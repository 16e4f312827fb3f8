import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quickFixesFor, parseFieldPath, trailingWhitespaceStart, type FixEdit } from '../../../src/core/dataset/fixes';
import type { Problem } from '../../../src/core/dataset/types';

/** Applies a fix's edits to a file given as lines, as the editor would (deleteLine removes the line and its break). */
function apply(lines: string[], edits: FixEdit[]): string[] {
  const out = [...lines];
  // Right to left so earlier columns stay valid.
  const sorted = [...edits].sort((a, b) => b.line - a.line || (b.kind === 'replace' && a.kind === 'replace' ? b.startColumn - a.startColumn : 0));
  for (const e of sorted) {
    if (e.kind === 'deleteLine') out.splice(e.line - 1, 1);
    else {
      const t = out[e.line - 1];
      out[e.line - 1] = t.slice(0, e.startColumn - 1) + e.newText + t.slice(e.endColumn - 1);
    }
  }
  return out;
}

function problem(p: Partial<Problem> & Pick<Problem, 'code'>): Problem {
  return { line: 1, column: 1, severity: 'error', message: p.code, ...p };
}

test('a misspelled key is renamed in place; other keys, spacing and order are untouched', () => {
  const line = '{"instrution": "Add 2 and 3.",  "input": "", "output": "5", "meta": {"src": "x"}}';
  const fixes = quickFixesFor(line, problem({
    line: 4, column: 2, endColumn: 14, code: 'missing-field', field: 'instruction',
    data: { key: 'instrution', suggestion: 'instruction' },
  }));
  assert.equal(fixes.length, 1);
  assert.equal(fixes[0].title, 'Rename "instrution" to "instruction"');
  assert.equal(fixes[0].preferred, true);
  assert.deepEqual(fixes[0].edits, [{ kind: 'replace', line: 4, startColumn: 2, endColumn: 14, newText: '"instruction"' }]);
  const [fixed] = apply(['', '', '', line], fixes[0].edits).slice(3);
  assert.equal(fixed, '{"instruction": "Add 2 and 3.",  "input": "", "output": "5", "meta": {"src": "x"}}');
});

test('a misspelled key inside a message is found through the field path', () => {
  const line = '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "contnet": "hello"}]}';
  const fixes = quickFixesFor(line, problem({
    code: 'missing-field', field: 'messages[1].content', data: { key: 'contnet', suggestion: 'content' },
  }));
  assert.equal(fixes.length, 1);
  assert.deepEqual(JSON.parse(apply([line], fixes[0].edits)[0]), {
    messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }],
  });
});

test('no rename when the suggested key already exists or the misspelled key is gone', () => {
  const both = '{"instrution": "a", "instruction": "b", "output": "c"}';
  const p = problem({ code: 'missing-field', data: { key: 'instrution', suggestion: 'instruction' } });
  assert.deepEqual(quickFixesFor(both, p), []);
  assert.deepEqual(quickFixesFor('{"instruction": "a", "output": "c"}', p), []);
  // A line that no longer parses is left to its json-parse problem.
  assert.deepEqual(quickFixesFor('{"instrution": "a", "output": ', p), []);
  // Without the data a quick fix needs, nothing is guessed.
  assert.deepEqual(quickFixesFor(both, problem({ code: 'missing-field' })), []);
});

test('a bad role is replaced by the suggestion at its field path only', () => {
  const line = '{"messages": [{"role": "usr", "content": "usr"}, {"role": "assistant", "content": "ok"}], "usr": 1}';
  const fixes = quickFixesFor(line, problem({
    line: 2, column: 24, endColumn: 29, code: 'bad-role', field: 'messages[0].role', data: { role: 'usr', suggestion: 'user' },
  }));
  assert.equal(fixes.length, 1);
  assert.equal(fixes[0].title, 'Change role "usr" to "user"');
  assert.deepEqual(fixes[0].edits, [{ kind: 'replace', line: 2, startColumn: 24, endColumn: 29, newText: '"user"' }]);
  assert.equal(apply(['', line], fixes[0].edits)[1],
    '{"messages": [{"role": "user", "content": "usr"}, {"role": "assistant", "content": "ok"}], "usr": 1}');
});

test('without a field path the bad role nearest the reported column is fixed', () => {
  const line = '{"chosen": [{"role": "bot", "content": "a"}], "rejected": [{"role": "bot", "content": "b"}], "prompt": "p"}';
  const col = line.lastIndexOf('"bot"') + 1;
  const fixes = quickFixesFor(line, problem({ column: col, code: 'bad-role', data: { role: 'bot', suggestion: 'assistant' } }));
  const fixed = JSON.parse(apply([line], fixes[0].edits)[0]);
  assert.equal(fixed.chosen[0].role, 'bot');
  assert.equal(fixed.rejected[0].role, 'assistant');
});

test('exact duplicates are removed as a whole line and preferred; near duplicates only offered', () => {
  const lines = ['{"prompt": "a", "completion": "b"}', '{"prompt": "x", "completion": "y"}', '{"prompt": "a", "completion": "b"}'];
  const dup = quickFixesFor(lines[2], problem({ line: 3, code: 'duplicate', severity: 'warning', data: { firstLine: 1 } }));
  assert.equal(dup[0].title, 'Remove duplicate record (same as line 1)');
  assert.equal(dup[0].preferred, true);
  assert.deepEqual(apply(lines, dup[0].edits), lines.slice(0, 2));
  const near = quickFixesFor(lines[2], problem({ line: 3, code: 'near-duplicate', severity: 'info', data: { firstLine: 1 } }));
  assert.equal(near[0].title, 'Remove near-duplicate record (similar to line 1)');
  assert.equal(near[0].preferred, false);
  // The caller can say where the line is now.
  assert.deepEqual(quickFixesFor(lines[2], problem({ line: 3, code: 'duplicate' }), 7)[0].edits, [{ kind: 'deleteLine', line: 7 }]);
});

test('trailing whitespace is trimmed inside the string literal, escapes included, nothing else changes', () => {
  const line = '{"instruction": "Say hi.  ", "output": "Hi!\\n\\t \\u0020", "input": "  keep leading"}';
  const out = quickFixesFor(line, problem({ code: 'trailing-whitespace', severity: 'warning', field: 'output', data: { field: 'output' } }));
  assert.equal(out.length, 1);
  assert.equal(out[0].title, 'Trim trailing whitespace in output');
  const fixed = apply([line], out[0].edits)[0];
  assert.equal(fixed, '{"instruction": "Say hi.  ", "output": "Hi!", "input": "  keep leading"}');
  const ins = quickFixesFor(line, problem({ code: 'trailing-whitespace', data: { field: 'instruction' } }));
  assert.equal(JSON.parse(apply([line], ins[0].edits)[0]).instruction, 'Say hi.');
});

test('trailing whitespace in a message content and in non-ASCII text', () => {
  const line = '{"messages": [{"role": "user", "content": "héllo 🎉\\u00a0 "}, {"role": "assistant", "content": "x"}]}';
  const out = quickFixesFor(line, problem({ code: 'trailing-whitespace', data: { field: 'messages[0].content' } }));
  const fixed = JSON.parse(apply([line], out[0].edits)[0]);
  assert.equal(fixed.messages[0].content, 'héllo 🎉');
  assert.equal(fixed.messages[1].content, 'x');
});

test('no trim fix when the field has no trailing whitespace any more or is not a string', () => {
  const p = problem({ code: 'trailing-whitespace', data: { field: 'output' } });
  assert.deepEqual(quickFixesFor('{"instruction": "a", "output": "done"}', p), []);
  assert.deepEqual(quickFixesFor('{"instruction": "a", "output": 5}', p), []);
  assert.deepEqual(quickFixesFor('{"instruction": "a"}', p), []);
});

test('codes without an obvious fix get none', () => {
  for (const code of ['json-parse', 'empty-field', 'role-order', 'too-long', 'identical-pair', 'unknown-format'] as const) {
    assert.deepEqual(quickFixesFor('{"prompt": "a", "completion": ""}', problem({ code })), [], code);
  }
});

test('field paths and whitespace boundaries', () => {
  assert.deepEqual(parseFieldPath('messages[2].role'), ['messages', 2, 'role']);
  assert.deepEqual(parseFieldPath('chosen[0].content'), ['chosen', 0, 'content']);
  assert.deepEqual(parseFieldPath('meta["a.b"]'), ['meta', 'a.b']);
  assert.equal(trailingWhitespaceStart('"abc"'), undefined);
  assert.equal(trailingWhitespaceStart('"abc \\n"'), 4);
  assert.equal(trailingWhitespaceStart('"   "'), 1);
  assert.equal(trailingWhitespaceStart('"a\\\\"'), undefined);
});
