import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { tokenizeExample, layoutRows, makeBatch, batchesOf, batchLength, type Example } from '../../../src/trainer/data';
import { testRenderer } from './helpers';

const tok = new ByteTokenizer();

test('only response tokens and the final EOS are trained; BOS is prepended and never a target', () => {
  const rec = { instruction: 'Hi', output: 'ok' };
  const { example, truncated } = tokenizeExample(testRenderer.render(rec), tok, 1000, 'greet');
  assert.equal(truncated, false);
  const text = tok.decode(Array.from(example.ids));
  assert.equal(text, '<|bos|><|user|>Hi<|assistant|>ok<|eos|>');
  // bos user H i assistant o k eos
  assert.deepEqual(Array.from(example.mask), [0, 0, 0, 0, 0, 1, 1, 1]);
  assert.equal(example.trained, 3);
  assert.equal(example.task, 'greet');
});

test('EOS is appended (and trained) when the rendering does not end with it', () => {
  const { example } = tokenizeExample({ text: 'Q: 1+1 A: 2', trainSpans: [[10, 11]] }, tok, 1000);
  assert.equal(example.ids.at(-1), tok.eosId);
  assert.deepEqual(Array.from(example.mask.slice(-2)), [1, 1]);
  assert.equal(example.trained, 2);
});

test('multi-turn chat: every assistant turn is trained, user and system turns are not', () => {
  const rec = { messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'a' }, { role: 'assistant', content: 'B' }, { role: 'user', content: 'c' }, { role: 'assistant', content: 'D' }] };
  const { example } = tokenizeExample(testRenderer.render(rec), tok, 1000);
  const trained = Array.from(example.ids).filter((_, k) => example.mask[k]);
  assert.equal(tok.decode(trained), 'B<|end|>D<|end|><|eos|>');
});

test('a token is trained only when its whole character range is inside a span (multi-byte characters)', () => {
  // "é" is two bytes that both map to the character range [1, 2)
  const { example } = tokenizeExample({ text: 'xé<|eos|>', trainSpans: [[1, 9]] }, tok, 1000);
  assert.deepEqual(Array.from(example.mask), [0, 0, 1, 1, 1]);
});

test('truncation keeps the first maxTokens tokens and reports it', () => {
  const { example, truncated } = tokenizeExample(testRenderer.render({ instruction: 'Say', output: 'x'.repeat(50) }), tok, 16);
  assert.equal(truncated, true);
  assert.equal(example.ids.length, 16);
});

function ex(len: number, task = ''): Example {
  const ids = Int32Array.from({ length: len }, (_, i) => 10 + i);
  const mask = Uint8Array.from({ length: len }, (_, i) => (i >= len / 2 ? 1 : 0));
  return { ids, mask, task, trained: mask.reduce((a, b) => a + b, 0) };
}

test('packing fills rows with whole examples, each its own segment; targets never cross an example boundary', () => {
  const a = ex(4);
  const b = ex(5);
  const c = ex(6);
  const { rows, placed } = layoutRows([a, b, c], 8, true);
  // a: 3 pairs, b: 4 pairs → row 0 (7 of 8); c: 5 pairs → row 1
  assert.equal(placed, 3);
  assert.deepEqual(rows.map((r) => r.length), [2, 1]);
  const batch = makeBatch(rows, 8, tok.padId);
  assert.deepEqual(Array.from(batch.segments!.slice(0, 8)), [1, 1, 1, 2, 2, 2, 2, 0]);
  assert.deepEqual(Array.from(batch.tokens.slice(0, 8)), [10, 11, 12, 10, 11, 12, 13, tok.padId]);
  // the last input of a predicts a's last token, never b's first
  assert.deepEqual(Array.from(batch.targets.slice(0, 8)), [11, 12, 13, 11, 12, 13, 14, tok.padId]);
  assert.deepEqual(Array.from(batch.weights.slice(0, 8)), [0, 1, 1, 0, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(batch.weights.slice(8)), [0, 0, 1, 1, 1, 0, 0, 0]);
});

test('padding mode puts one example per row with zero-weight padding', () => {
  const { rows } = layoutRows([ex(4), ex(5)], 8, false);
  assert.equal(rows.length, 2);
  const batch = makeBatch(rows, 8, tok.padId);
  assert.deepEqual(Array.from(batch.weights.slice(0, 8)), [0, 1, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(batch.tokens.slice(8, 16)), [10, 11, 12, 13, tok.padId, tok.padId, tok.padId, tok.padId]);
});

test('maxRows stops the layout and says how many examples were placed', () => {
  const { rows, placed } = layoutRows([ex(8), ex(8), ex(8)], 8, true, 2);
  assert.equal(rows.length, 2);
  assert.equal(placed, 2);
});

test('eval batches cover every trained token exactly once', () => {
  const exs = Array.from({ length: 11 }, (_, i) => ex(3 + (i % 5)));
  const batches = batchesOf(exs, 8, 3, true, tok.padId);
  const weightSum = batches.reduce((s, b) => s + b.weights.reduce((a, w) => a + w, 0), 0);
  assert.equal(weightSum, exs.reduce((s, e) => s + e.trained, 0));
  assert.ok(batches.every((b) => b.batchSize <= 3));
});

test('a batch is only as long as its longest row needs (rounded up to 8), and cutting the padding changes no loss', async () => {
  const { createEngine } = await import('../../../src/trainer/engine');
  const ex = (n: number) => tokenizeExample({ text: `Q: ${'x'.repeat(n)} A: ok`, trainSpans: [[n + 6, n + 8]] }, tok, 1000).example;
  const rows = [[ex(3)], [ex(20)], [ex(9)]];
  assert.equal(batchLength(rows, 128), 32, 'longest row: 28 bytes + BOS and EOS → 29 pairs → 32');
  assert.equal(batchLength([[ex(200)]], 128), 128, 'never beyond the context');
  assert.equal(batchLength([[ex(3), ex(3)]], 128), 32, 'a packed row counts all its examples');
  const engine = await createEngine({ config: { vocabSize: tok.vocabSize, dModel: 32, nLayers: 1, nHeads: 2, contextLength: 128 }, seed: 3, threads: 1 });
  try {
    const full = await engine.evalLoss(makeBatch(rows, 128, tok.padId));
    const cut = await engine.evalLoss(makeBatch(rows, batchLength(rows, 128), tok.padId));
    assert.equal(cut.tokens, full.tokens);
    assert.ok(Math.abs(cut.lossSum - full.lossSum) < 1e-4, `${cut.lossSum} vs ${full.lossSum}`);
    // batchesOf (evaluation) cuts too.
    assert.ok(batchesOf(rows.flat(), 128, 2, false, tok.padId).every((b) => b.seqLen < 128));
  } finally {
    await engine.dispose();
  }
});
