// Every quick fix offered on the bundled problem sample, applied and re-validated: the problem it fixes is gone
// and the line gains no new one. Generic over the sample's content, so it holds as the sample grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateText } from '../../../src/core/dataset/index';
import { quickFixesFor, type FixEdit } from '../../../src/core/dataset/fixes';

const SAMPLE = 'media/samples/problems.jsonl';

function apply(lines: string[], edits: FixEdit[]): string[] {
  const out = [...lines];
  for (const e of edits) {
    if (e.kind === 'deleteLine') out.splice(e.line - 1, 1);
    else out[e.line - 1] = out[e.line - 1].slice(0, e.startColumn - 1) + e.newText + out[e.line - 1].slice(e.endColumn - 1);
  }
  return out;
}

test('each fix on the problem sample removes its problem and adds none on that line', () => {
  const text = readFileSync(SAMPLE, 'utf8');
  const lines = text.split('\n');
  const options = { nearDuplicateThreshold: 0.8 };
  const before = validateText(text, { ...options, file: SAMPLE }).problems;
  const fixed = new Set<string>();
  for (const p of before) {
    for (const fix of quickFixesFor(lines[p.line - 1], p)) {
      const after = validateText(apply(lines, fix.edits).join('\n'), { ...options, file: SAMPLE }).problems;
      if (fix.edits.some((e) => e.kind === 'deleteLine')) {
        // The line is gone: the file has one problem fewer and everything else is where it was, moved up a line.
        assert.equal(after.length, before.length - 1, fix.title);
        assert.ok(!after.some((q) => q.code === p.code && q.line === p.line && q.message === p.message), fix.title);
      } else {
        const onLine = (ps: typeof before) => ps.filter((q) => q.line === p.line).map((q) => q.code).sort();
        const expected = onLine(before).filter((c, i, all) => c !== p.code || all.indexOf(c) !== i);
        assert.deepEqual(onLine(after), expected, `${fix.title} on line ${p.line}`);
      }
      fixed.add(p.code);
    }
  }
  // The sample exercises every kind of obvious fix.
  assert.deepEqual([...fixed].sort(), ['bad-role', 'duplicate', 'missing-field', 'near-duplicate', 'trailing-whitespace']);
});
