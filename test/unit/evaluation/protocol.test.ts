// The evaluation report, generation lines and panel messages are validated on receipt: well-formed ones pass,
// malformed ones are refused with a reason, never passed on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isEvaluationViewState, isPreferenceReport, parseEvalReport, parseGenerationLine, parseSavedReport, validateEvaluationToHost, validateHostToEvaluation,
} from '../../../src/shared/protocol/evaluation';
import { sampleEvaluation, samplePreferenceReport } from './fixtures';

test('a report from the metrics core is accepted; a missing meta, a string metric or a bad per_task entry is refused', () => {
  const { report } = sampleEvaluation('/d/eval.jsonl');
  const round = JSON.parse(JSON.stringify(report));
  assert.equal(parseEvalReport(round).ok, true);
  const { meta: _meta, ...noMeta } = round;
  const r1 = parseEvalReport(noMeta);
  assert.equal(r1.ok, false);
  assert.match(r1.ok ? '' : r1.reason, /no "meta" object/);
  assert.equal(parseEvalReport({ ...round, exact_match: '0.5' }).ok, false);
  assert.equal(parseEvalReport({ ...round, per_task: { a: { n: 1 } } }).ok, false);
  assert.equal(parseEvalReport({ ...round, meta: { ...round.meta, base: 3 } }).ok, false);
  assert.equal(parseEvalReport([]).ok, false);
});

test('generation lines: valid ones parse, a missing score or a negative line does not', () => {
  const { generations } = sampleEvaluation('/d/eval.jsonl');
  const g = JSON.parse(JSON.stringify(generations[0]));
  assert.deepEqual(parseGenerationLine(g), g);
  assert.equal(parseGenerationLine({ ...g, line: -1 }), null);
  assert.equal(parseGenerationLine({ ...g, scores: { tuned: { exact_match: 1 }, base: null } }), null);
  assert.equal(parseGenerationLine({ ...g, base: null, scores: { ...g.scores, base: null } })?.base, null);
});

test('panel messages both ways are narrowed on type and checked field by field', () => {
  const { report, generations } = sampleEvaluation('/d/eval.jsonl');
  const ev = { path: '/r/eval/x.json', label: 'x', report, generations, skipped: 0 };
  assert.equal(validateHostToEvaluation({ type: 'show', primary: ev, other: null }).ok, true);
  assert.equal(validateHostToEvaluation({ type: 'show', primary: { ...ev, generations: [{}] }, other: null }).ok, false);
  assert.equal(validateHostToEvaluation({ type: 'sent', file: '/x.jsonl', count: 2 }).ok, true);
  assert.equal(validateEvaluationToHost({ type: 'ready' }).ok, true);
  assert.equal(validateEvaluationToHost({ type: 'openRecord', file: '/d/eval.jsonl', line: 3 }).ok, true);
  assert.equal(validateEvaluationToHost({ type: 'openRecord', file: '/d/eval.jsonl', line: 1.5 }).ok, false);
  assert.equal(validateEvaluationToHost({ type: 'sendToAnnotator', indices: [0, 2], as: 'preference' }).ok, true);
  assert.equal(validateEvaluationToHost({ type: 'sendToAnnotator', indices: [0], as: 'dpo' }).ok, false);
  const unknown = validateEvaluationToHost({ type: 'eval', code: '1' });
  assert.equal(unknown.ok, false);
  assert.match(unknown.ok ? '' : unknown.reason, /unknown message type "eval"/);
  assert.equal(isEvaluationViewState({ report: '/r.json', compare: null, sort: 'delta', filter: '' }), true);
  assert.equal(isEvaluationViewState({ report: '/r.json', compare: null, sort: 'random', filter: '' }), false);
});

test('a saved preference evaluation is told apart by kind and checked field by field; the error names the field', () => {
  const pref = JSON.parse(JSON.stringify(samplePreferenceReport()));
  const ok = parseSavedReport(pref);
  assert.ok(ok.ok && isPreferenceReport(ok.report));
  const { report } = sampleEvaluation('/d/eval.jsonl');
  const instr = parseSavedReport(JSON.parse(JSON.stringify(report)));
  assert.ok(instr.ok && !isPreferenceReport(instr.report), 'an instruction report still parses');
  const bad = (v: unknown) => { const r = parseSavedReport(v); return r.ok ? '' : r.reason; };
  assert.match(bad({ ...pref, reward_accuracy: '75%' }), /field "reward_accuracy"/);
  assert.match(bad({ ...pref, loss_type: 'hinge' }), /field "loss_type"/);
  assert.match(bad({ ...pref, base: { ...pref.base, dpo_loss: null } }), /field "base"/);
  assert.match(bad({ ...pref, meta: { ...pref.meta, base: null } }), /field "meta"/);
  assert.match(bad({ ...pref, n: -1 }), /field "n"/);
  // Not a preference report without the kind, and not an instruction report either.
  assert.equal(parseSavedReport({ ...pref, kind: undefined }).ok, false);
  // The panel gets it with no generations, and refuses it malformed.
  const ev = { path: '/r/eval/p.json', label: 'p', report: pref, generations: [], skipped: 0 };
  assert.equal(validateHostToEvaluation({ type: 'show', primary: ev, other: null }).ok, true);
  assert.equal(validateHostToEvaluation({ type: 'show', primary: { ...ev, report: { ...pref, dpo_loss: 'x' } }, other: null }).ok, false);
});
