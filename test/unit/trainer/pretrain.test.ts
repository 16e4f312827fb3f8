// The pretrain stage: raw text → BOS/EOS-delimited token stream → full rows with the loss on every token; and a
// short run through the real loop (next-token loss falls, the run folder is an ordinary one).
process.env.INSTRUCT_STUDIO_BACKEND ??= 'wasm';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { createEngine } from '../../../src/trainer/engine';
import { makeBatch, layoutRows } from '../../../src/trainer/data';
import { loadPretrainItems, packStream, readDocuments, tokenStream } from '../../../src/trainer/pretrainData';
import { DataError } from '../../../src/trainer/prepare';
import { train } from '../../../src/trainer/train';
import { readMetrics, readRunInfo } from '../../../src/trainer/runFolder';
import { loadCheckpoint } from '../../../src/trainer/checkpoint';
import type { ChildToParent, MetricsRow } from '../../../src/shared/protocol/trainer';
import { tempDir, testRenderer } from './helpers';

const tok = new ByteTokenizer();

test('documents: blank lines separate them in .txt; .jsonl takes "text"; errors name the file and line', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'c.txt'), 'First document,\nsecond line.\n\n\n  \nSecond document.\r\n\r\nThird.\n');
  assert.deepEqual(readDocuments(join(dir, 'c.txt')), ['First document,\nsecond line.', 'Second document.', 'Third.']);
  writeFileSync(join(dir, 'c.jsonl'), '{"text": "alpha"}\n\n{"text": "beta", "source": "x"}\n');
  assert.deepEqual(readDocuments(join(dir, 'c.jsonl')), ['alpha', 'beta']);
  writeFileSync(join(dir, 'bad.jsonl'), '{"text": "alpha"}\n{"body": "beta"}\n');
  assert.throws(() => readDocuments(join(dir, 'bad.jsonl')), (e: Error) => e instanceof DataError && /bad\.jsonl:2: .*"text"/.test(e.message));
  writeFileSync(join(dir, 'broken.jsonl'), '{"text": "alpha"}\n{"text": \n');
  assert.throws(() => readDocuments(join(dir, 'broken.jsonl')), /broken\.jsonl:2: not valid JSON/);
  writeFileSync(join(dir, 'empty.txt'), '\n\n  \n');
  assert.throws(() => readDocuments(join(dir, 'empty.txt')), /empty\.txt: no text to pretrain on/);
});

test('the token stream puts BOS before and EOS after every document', () => {
  const stream = Array.from(tokenStream(['ab', 'c'], tok));
  assert.deepEqual(stream, [tok.bosId, 97, 98, tok.eosId, tok.bosId, 99, tok.eosId]);
});

test('rows: every token after the first is a trained target exactly once, rows are full, batches weight every pair', () => {
  const docs = ['In the beginning was the word.', 'A second, longer document that crosses a row boundary for sure.', 'Third.'];
  const stream = tokenStream(docs, tok);
  const seqLen = 16;
  const rows = packStream(stream, seqLen);
  // Row k covers stream[k·seqLen … (k+1)·seqLen]: one shared token between neighbours.
  rows.forEach((r, k) => assert.deepEqual(Array.from(r.ids), Array.from(stream.slice(k * seqLen, k * seqLen + r.ids.length))));
  rows.slice(0, -1).forEach((r) => assert.equal(r.ids.length, seqLen + 1, 'all rows but the last are full'));
  for (const r of rows) {
    assert.equal(r.mask[0], 0);
    assert.ok(r.mask.slice(1).every((m) => m === 1), 'loss on every target, special tokens included');
    assert.equal(r.trained, r.ids.length - 1);
  }
  const targets = rows.flatMap((r) => Array.from(r.ids.slice(1)));
  assert.deepEqual(targets, Array.from(stream.slice(1)), 'the targets are the stream, once each, in order');

  // Through the SFT batch code: one row per example, no padding in full rows, weight 1 on every pair.
  const { rows: laid } = layoutRows(rows, seqLen, true);
  assert.equal(laid.length, rows.length);
  const batch = makeBatch(laid.slice(0, 2), seqLen, tok.padId);
  assert.ok(Array.from(batch.weights).every((w) => w === 1));
  assert.deepEqual(Array.from(batch.tokens.slice(0, seqLen)), Array.from(stream.slice(0, seqLen)));
  assert.deepEqual(Array.from(batch.targets.slice(0, seqLen)), Array.from(stream.slice(1, seqLen + 1)));
  const eos = Array.from(batch.targets).indexOf(tok.eosId);
  assert.equal(batch.tokens[eos + 1], tok.eosId, 'EOS ends a document …');
  assert.equal(batch.targets[eos + 1], tok.bosId, '… and BOS, a trained target, starts the next');
});

test('a held-out eval file is packed the same way; without one, a seeded fraction of rows is held out', (t) => {
  const dir = tempDir(t);
  const text = Array.from({ length: 40 }, (_, i) => `Document number ${i} says hello.`).join('\n\n');
  writeFileSync(join(dir, 'c.txt'), text);
  writeFileSync(join(dir, 'h.txt'), 'Held out.\n\nAlso held out.');
  const withFile = loadPretrainItems(join(dir, 'c.txt'), join(dir, 'h.txt'), 0.1, 1, tok, 32);
  assert.equal(withFile.documents, 40);
  assert.equal(withFile.eval.length, 1);
  assert.equal(withFile.eval[0].example.trained, tokenStream(['Held out.', 'Also held out.'], tok).length - 1);
  const split = loadPretrainItems(join(dir, 'c.txt'), undefined, 0.1, 1, tok, 32);
  assert.equal(split.train.length + split.eval.length, withFile.train.length);
  assert.ok(split.eval.length >= 1);
  assert.deepEqual(loadPretrainItems(join(dir, 'c.txt'), undefined, 0.1, 1, tok, 32).eval.map((i) => Array.from(i.example.ids)), split.eval.map((i) => Array.from(i.example.ids)), 'seeded');
});

test('a short pretraining run: next-token loss falls, eval rows have no exact match, the checkpoint is an ordinary model folder', async (t) => {
  const dir = tempDir(t);
  const words = ['river', 'stone', 'light', 'house', 'field', 'water'];
  const docs = Array.from({ length: 60 }, (_, i) => `The ${words[i % 6]} and the ${words[(i * 5) % 6]} were ${i % 7} days old.`);
  writeFileSync(join(dir, 'corpus.txt'), docs.join('\n\n'));
  const messages: ChildToParent[] = [];
  const out = join(dir, 'run');
  const outcome = await train(
    { data: join(dir, 'corpus.txt'), out, model: 'scratch', stage: 'pretrain', resume: false, skipInvalid: false, includeRejected: false, evalFraction: 0.1,
      overrides: { dModel: 32, nLayers: 1, nHeads: 2, contextLength: 48, batchSize: 4, threads: 1, warmupSteps: 2, logEvery: 1, steps: 30, lr: 1e-2, evalEvery: 0 } },
    { emit: (m) => messages.push(m), stopRequested: () => false, createEngine: (o) => createEngine(o), renderer: testRenderer },
  );
  assert.equal(outcome.status, 'finished');
  const rows = readMetrics(out).filter((r): r is MetricsRow => !('split' in r));
  assert.equal(rows.length, 30);
  assert.ok(rows.at(-1)!.loss < rows[0].loss * 0.6, `loss should fall: ${rows[0].loss} → ${rows.at(-1)!.loss}`);
  // Full rows of 48 pairs, every one trained: 4 rows × 48 tokens per step.
  const progress = messages.filter((m) => m.type === 'progress');
  assert.ok(progress.length === 30);
  const evals = readMetrics(out).filter((r) => 'split' in r);
  assert.deepEqual(evals.map((r) => r.step), [0, 30]);
  assert.ok(evals.every((r) => 'exact_match' in r && r.exact_match === null));
  assert.ok(evals[1].loss < evals[0].loss);
  assert.equal(readRunInfo(out)?.stage, 'pretrain');
  assert.match(messages.filter((m) => m.type === 'log').map((m) => (m as { message: string }).message).join('\n'), /pretraining corpus: 60 documents/);
  const ck = loadCheckpoint(join(out, 'best'), { withOptimizer: false });
  assert.equal(ck.model.dModel, 32);
});
