// Ids against an independent reference (scripts/hf-fixtures/tokenizers_ref.py: a hand-written BPE following the
// Rust tokenizers crate) for a GPT-2-style byte-level BPE and a Llama-2-style SentencePiece BPE with byte fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HfTokenizer, HfTokenizerError } from '../../../src/core/tokenizer/hfTokenizer';
import { trainedTokenMask } from '../../../src/core/template/tokens';

const FIX = join(__dirname, '../../fixtures/hf');
const readJson = (p: string) => JSON.parse(readFileSync(join(FIX, p), 'utf8'));
const load = (dir: string) => new HfTokenizer({ tokenizer: readJson(`${dir}/tokenizer.json`), config: readJson(`${dir}/tokenizer_config.json`) });
const cases: Record<string, Array<{ text: string; ids: number[] }>> = readJson('tokenizer-ids.json');

for (const dir of ['gpt2-tiny', 'sp-tokenizer']) {
  test(`${dir}: ids equal the reference encoder's, decode round-trips, counts agree`, () => {
    const tok = load(dir);
    for (const c of cases[dir]) {
      const enc = tok.encode(c.text);
      assert.deepEqual(enc.ids, c.ids, JSON.stringify(c.text));
      assert.equal(tok.countTokens(c.text), c.ids.length);
      // SentencePiece decodes a word after a special token with its ▁ as a space (the Rust decoder does too).
      if (!/<\/?s>/.test(c.text)) assert.equal(tok.decode(enc.ids), c.text, `decode of ${JSON.stringify(c.text)}`);
    }
  });

  test(`${dir}: offsets cover the input in order, each token's characters re-encode to it`, () => {
    const tok = load(dir);
    for (const c of cases[dir]) {
      const { ids, offsets } = tok.encode(c.text);
      assert.equal(offsets.length, ids.length);
      let last = 0;
      for (const [a, b] of offsets) {
        assert.ok(a >= last - 2 && b >= a && b <= c.text.length, `${JSON.stringify(c.text)}: [${a}, ${b}] after ${last}`);
        last = b;
      }
      assert.equal(offsets.at(-1)![1], c.text.length, JSON.stringify(c.text));
    }
  });
}

test('byte-level offsets: a whole word token covers exactly its characters, a multi-byte character is shared by its byte tokens', () => {
  const tok = load('gpt2-tiny');
  const { ids, offsets } = tok.encode('Hello world');
  // "Ġworld" is one token (id 276 in the fixture): it covers " world".
  assert.equal(ids.at(-1), 276);
  assert.deepEqual(offsets.at(-1), [5, 11]);
  const e = tok.encode('é');
  assert.equal(e.ids.length, 2);
  assert.deepEqual(e.offsets, [[0, 1], [0, 1]]);
  const emoji = tok.encode('a🙂');
  assert.deepEqual(emoji.offsets.at(-1), [1, 3]);
});

test('SentencePiece offsets: the prepended ▁ is not in the text; special tokens cover their own text', () => {
  const tok = load('sp-tokenizer');
  const text = '<s>hello</s>';
  const { ids, offsets } = tok.encode(text);
  assert.equal(ids[0], tok.bosId);
  assert.deepEqual(offsets[0], [0, 3]);
  assert.equal(ids.at(-1), tok.eosId);
  assert.deepEqual(offsets.at(-1), [8, 12]);
  assert.equal(offsets.slice(1, -1).map(([a, b]) => text.slice(a, b)).join(''), 'hello');
  assert.equal(tok.decode(ids, { skipSpecial: true }), 'hello');
  // The mask preview's question: which tokens overlap the trained span "hello</s>"?
  assert.deepEqual(trainedTokenMask(offsets, [[3, 12]]), ids.map((_, i) => i > 0));
});

test('special tokens come from tokenizer_config.json; pad falls back to EOS', () => {
  const sp = load('sp-tokenizer');
  assert.equal(sp.eosToken, '</s>');
  assert.equal(sp.eosId, 2);
  assert.equal(sp.bosToken, '<s>');
  assert.equal(sp.bosId, 1);
  assert.equal(sp.padId, 2);
  assert.equal(sp.specialTokens.get('<unk>'), 0);
  assert.equal(sp.decode([1, 287, 268, 2], { skipSpecial: true }), 'h');
  const gpt = load('gpt2-tiny');
  assert.equal(gpt.eosToken, '<|endoftext|>');
  assert.equal(gpt.eosId, 299);
  assert.equal(gpt.vocabSize, 300);
});

test('an eos_token outside the vocabulary, or none at all, is an error naming the field', () => {
  const tokenizer = readJson('gpt2-tiny/tokenizer.json');
  assert.throws(() => new HfTokenizer({ tokenizer, config: { eos_token: '</nope>' } }), (e: Error) => e instanceof HfTokenizerError && /"eos_token" "<\/nope>"/.test(e.message));
  assert.throws(() => new HfTokenizer({ tokenizer, config: {} }), /no "eos_token"/);
  assert.equal(new HfTokenizer({ tokenizer, config: {}, eosTokenId: 299 }).eosToken, '<|endoftext|>');
});
