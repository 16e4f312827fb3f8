// Loading a saved evaluation for the panel (worst first, invalid lines counted, errors naming the file) and turning
// failures into preference pairs or records to fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEvaluation, EvaluationFileError } from '../../../src/host/evaluation/loadEvaluation';
import { failureRecord } from '../../../src/host/evaluation/failureRecords';
import { sampleEvaluation, samplePreferenceReport } from './fixtures';

function scratch(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'instruct-evalpanel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a saved evaluation loads with its generations worst first; invalid generation lines are counted, not shown', async (t) => {
  const dir = scratch(t);
  const { report, generations } = sampleEvaluation(join(dir, 'eval.jsonl'));
  writeFileSync(join(dir, 'x.json'), JSON.stringify(report));
  writeFileSync(join(dir, 'x.generations.jsonl'), [...generations.map((g) => JSON.stringify(g)), '{"line": 9}', 'not json'].join('\n') + '\n');
  const ev = await loadEvaluation(join(dir, 'x.json'), dir);
  assert.equal(ev.label, 'x.json');
  assert.equal(ev.skipped, 2);
  assert.equal(ev.generations.length, 4);
  const f1 = ev.generations.map((g) => g.scores.tuned.token_f1);
  assert.deepEqual(f1, [...f1].sort((a, b) => a - b));
  assert.equal(ev.generations[0].tuned, 'bat', 'the complete miss comes first');
});

test('a broken report or a missing generations file is an error naming the file', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'bad.json'), '{"n": 1');
  await assert.rejects(loadEvaluation(join(dir, 'bad.json')), (e: Error) => e instanceof EvaluationFileError && e.message.startsWith(join(dir, 'bad.json')) && /not JSON/.test(e.message));
  const { report } = sampleEvaluation(join(dir, 'eval.jsonl'));
  writeFileSync(join(dir, 'x.json'), JSON.stringify(report));
  await assert.rejects(loadEvaluation(join(dir, 'x.json')), /x\.generations\.jsonl: .*named by x\.json meta\.generations/);
  writeFileSync(join(dir, 'y.json'), JSON.stringify({ n: 2 }));
  await assert.rejects(loadEvaluation(join(dir, 'y.json')), /y\.json: no "meta" object/);
});

test('failures become preference pairs (expected chosen over the tuned answer) or the original record to fix', () => {
  const { generations } = sampleEvaluation('/d/eval.jsonl');
  const miss = generations[3];
  const original = { instruction: 'Uppercase the word.', input: 'owl', output: 'OWL', task: 'upper' };
  const pair = failureRecord(miss, original, 'preference');
  assert.equal(pair.prompt, 'Uppercase the word.\n\nowl');
  assert.equal(pair.chosen, 'OWL');
  assert.equal(pair.rejected, 'bat');
  assert.deepEqual(pair.eval_failure, { file: '/d/eval.jsonl', line: 4, tuned: 'bat', token_f1: 0 });
  const fix = failureRecord(miss, original, 'instruction');
  assert.equal(fix.instruction, 'Uppercase the word.');
  assert.equal(fix.output, 'OWL');
  const chat = failureRecord(miss, { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'OWL' }] }, 'preference');
  assert.deepEqual(chat.prompt, [{ role: 'user', content: 'hi' }]);
  assert.equal(failureRecord(miss, null, 'preference').prompt, miss.prompt);
});

test('a saved preference evaluation loads without generations; a malformed one is refused naming the file and field', async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'p.json');
  writeFileSync(path, JSON.stringify(samplePreferenceReport()));
  const ev = await loadEvaluation(path, dir);
  assert.deepEqual({ label: ev.label, generations: ev.generations, skipped: ev.skipped }, { label: 'p.json', generations: [], skipped: 0 });
  assert.deepEqual(ev.report, samplePreferenceReport());
  writeFileSync(path, JSON.stringify({ ...samplePreferenceReport(), reward_margin: 'wide' }));
  await assert.rejects(loadEvaluation(path, dir), (e: Error) => e instanceof EvaluationFileError && e.message.startsWith(path) && /"reward_margin"/.test(e.message));
});
