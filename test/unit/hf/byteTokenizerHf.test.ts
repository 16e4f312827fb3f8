// The built-in tokenizer exported as a Hugging Face tokenizer.json gives the same ids, offsets and text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { byteTokenizerHfFiles } from '../../../src/core/tokenizer/byteTokenizerHf';
import { HfTokenizer } from '../../../src/core/tokenizer/hfTokenizer';

test('HfTokenizer over the exported byte-level tokenizer.json equals ByteTokenizer', () => {
  const ours = new ByteTokenizer();
  const files = byteTokenizerHfFiles();
  const hf = new HfTokenizer({ tokenizer: files.tokenizer, config: files.config });
  assert.equal(hf.vocabSize, ours.vocabSize);
  assert.equal(hf.eosId, ours.eosId);
  assert.equal(hf.bosId, ours.bosId);
  assert.equal(hf.padId, ours.padId);
  for (const text of ['Hello, world!', '  spaces\tand\nnewlines  ', 'héllo ✓ 🙂 \u0000\u007f', '<|user|>hi<|end|><|assistant|>yo<|eos|>', "it's 12345"]) {
    const a = ours.encode(text);
    const b = hf.encode(text);
    assert.deepEqual(b.ids, a.ids, JSON.stringify(text));
    assert.deepEqual(b.offsets, a.offsets, JSON.stringify(text));
    assert.equal(hf.decode(b.ids), ours.decode(a.ids));
    assert.equal(hf.decode(b.ids, { skipSpecial: true }), ours.decode(a.ids, { skipSpecial: true }));
  }
});
