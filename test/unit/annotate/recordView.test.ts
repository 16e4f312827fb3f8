import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordView, rowView } from '../../../src/core/annotate/recordView';

test('alpaca: instruction and input on the prompt side, output as the response, unknown keys listed', () => {
  const v = recordView(3, '{"instruction": "Add.", "input": "2 3", "output": "5", "id": 9, "review": {"status": "accepted", "rating": 4}}');
  assert.deepEqual(v.prompt.map((f) => [f.path, f.value]), [[['instruction'], 'Add.'], [['input'], '2 3']]);
  assert.deepEqual(v.response.map((f) => f.path), [['output']]);
  assert.equal(v.status, 'accepted');
  assert.deepEqual(v.review, { status: 'accepted', rating: 4 });
  assert.deepEqual(v.otherKeys, ['id']);
});

test('chat is a conversation with an editable path per turn', () => {
  const v = recordView(0, '{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}');
  assert.deepEqual(v.prompt.map((f) => [f.role, f.path]), [['system', ['messages', 0, 'content']], ['user', ['messages', 1, 'content']], ['assistant', ['messages', 2, 'content']]]);
});

test('preference shows both sides; ranking shows responses in ranked order', () => {
  const p = recordView(0, '{"prompt": "q", "chosen": "good", "rejected": "bad", "review": {"mark": "tie"}}');
  assert.deepEqual([p.chosen?.[0].value, p.rejected?.[0].value, p.review.mark], ['good', 'bad', 'tie']);
  const r = recordView(0, '{"prompt": "q", "responses": ["a", "b", "c"], "ranking": [2, 0, 1]}');
  assert.deepEqual(r.ranked?.map((x) => [x.index, x.fields[0].value, x.fields[0].path]), [[2, 'c', ['responses', 2]], [0, 'a', ['responses', 0]], [1, 'b', ['responses', 1]]]);
  const bad = recordView(0, '{"prompt": "q", "responses": ["a", "b"], "ranking": [0, 0]}');
  assert.deepEqual(bad.ranked?.map((x) => x.index), [0, 1]);
  assert.match(bad.problems.map((x) => x.message).join(), /twice/);
});

test('a malformed review and a broken line are shown, not hidden', () => {
  const v = recordView(0, '{"instruction": "a", "output": "b", "review": {"status": "ok", "rating": 9}}');
  assert.equal(v.status, 'unreviewed');
  assert.deepEqual(v.problems.map((p) => p.field), ['review.status', 'review.rating']);
  const broken = recordView(7, '{"instruction": ');
  assert.equal(broken.kind, 'invalid');
  assert.equal(broken.raw, '{"instruction": ');
});

test('rows carry a one-line snippet of the prompt', () => {
  const row = rowView(1, JSON.stringify({ messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'first\nquestion' }] }), 2);
  assert.deepEqual(row, { line: 1, kind: 'chat', status: 'unreviewed', snippet: 'first question', problemCount: 2 });
  assert.equal(rowView(0, JSON.stringify({ instruction: 'x'.repeat(500), output: 'y' })).snippet.length, 140);
});
