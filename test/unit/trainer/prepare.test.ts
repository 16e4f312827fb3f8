import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { defaultRenderer } from '../../../src/core/template';
import { loadRecords, holdOut, expectedResponse, promptRecord, DataError } from '../../../src/trainer/prepare';
import { exactMatchSample } from '../../../src/trainer/evaluate';
import { tempDir, testRenderer, toyRecords, writeJsonl } from './helpers';

const tok = new ByteTokenizer();
const opts = { skipInvalid: false, includeRejected: false, maxTokens: 200 };

test('rejected reviews are left out unless asked; tasks come from task or category', async (t) => {
  const file = writeJsonl(join(tempDir(t), 'd.jsonl'), [
    { instruction: 'a', output: 'b', task: 'x' },
    { instruction: 'c', output: 'd', category: 'y', review: { status: 'rejected' } },
    { instruction: 'e', output: 'f', review: { status: 'accepted' } },
  ]);
  const r = await loadRecords(file, tok, testRenderer, opts);
  assert.deepEqual(r.items.map((i) => [i.line, i.task]), [[1, 'x'], [3, 'default']]);
  assert.equal(r.excludedRejected, 1);
  const all = await loadRecords(file, tok, testRenderer, { ...opts, includeRejected: true });
  assert.deepEqual(all.items.map((i) => i.task), ['x', 'y', 'default']);
});

test('validation errors refuse the file with file:line:column and field; skipInvalid counts what it skipped', async (t) => {
  const file = writeJsonl(join(tempDir(t), 'd.jsonl'), [{ instruction: 'a', output: 'b' }, { instruction: 'a' }, { instruction: 'c', output: 'd' }]);
  await assert.rejects(loadRecords(file, tok, testRenderer, opts), (e: unknown) =>
    e instanceof DataError && e.message.includes(`${file}:2:`) && /output/.test(e.message) && e.problems.length === 1);
  const r = await loadRecords(file, tok, testRenderer, { ...opts, skipInvalid: true });
  assert.equal(r.skippedInvalid, 1);
  assert.deepEqual(r.items.map((i) => i.line), [1, 3]);
});

test('the default template trains on the response, its end marker and EOS only', async (t) => {
  const file = writeJsonl(join(tempDir(t), 'd.jsonl'), [{ instruction: 'Reverse.', input: 'ab', output: 'ba' }]);
  const [item] = (await loadRecords(file, tok, defaultRenderer(), opts)).items;
  const trained = Array.from(item.example.ids).filter((_, k) => item.example.mask[k]);
  // <|end|> closes the turn (where generation stops); EOS after it ends the sequence, for runtimes that stop at EOS only.
  assert.equal(tok.decode(trained), 'ba<|end|><|eos|>');
});

test('records with no response inside the context are left out and counted', async (t) => {
  const file = writeJsonl(join(tempDir(t), 'd.jsonl'), [{ instruction: 'x'.repeat(80), output: 'y' }, { instruction: 'a', output: 'b' }]);
  const r = await loadRecords(file, tok, testRenderer, { ...opts, maxTokens: 40 });
  assert.equal(r.tooLong, 1);
  assert.equal(r.items.length, 1);
});

test('hold-out split is seeded and disjoint', () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const a = holdOut(items, 0.1, 7);
  assert.equal(a.held.length, 10);
  assert.deepEqual(holdOut(items, 0.1, 7), a);
  assert.notDeepEqual(holdOut(items, 0.1, 8).held, a.held);
  assert.equal(new Set([...a.train, ...a.held]).size, 100);
});

test('reference answers and prompts for exact match; the sample covers every task and both seen and unseen', async (t) => {
  assert.equal(expectedResponse({ instruction: 'a', output: 'b' }), 'b');
  assert.equal(expectedResponse({ prompt: 'a', completion: 'c' }), 'c');
  const chat = { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'r1' }, { role: 'user', content: 'q2' }, { role: 'assistant', content: 'r2' }] };
  assert.equal(expectedResponse(chat), 'r2');
  assert.equal((promptRecord(chat).messages as unknown[]).length, 3);
  const file = writeJsonl(join(tempDir(t), 'e.jsonl'), toyRecords(40).map((r, i) => ({ ...r, unseen: i % 4 < 2 })));
  const items = (await loadRecords(file, tok, testRenderer, opts)).items;
  const sample = exactMatchSample(items, 8);
  assert.equal(sample.length, 8);
  assert.deepEqual(new Set(sample.map((i) => i.task)), new Set(['reverse', 'upper']));
  assert.ok(sample.some((i) => i.unseen) && sample.some((i) => !i.unseen));
  assert.deepEqual(exactMatchSample(items, 8), sample, 'the same records at every evaluation');
});
