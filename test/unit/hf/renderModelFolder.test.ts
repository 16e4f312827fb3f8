// `render --template <model folder>` shows the model's own tokens (its tokenizer.json), with the mask from offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { loadFolderTokenizer } from '../../../src/core/tokenizer/folderTokenizer';

const SP = join(__dirname, '../../fixtures/hf/sp-tokenizer');

test('render with a model folder tokenizes with its tokenizer.json; trained tokens are the response and EOS', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'render-hf-'));
  try {
    const data = join(dir, 'd.jsonl');
    writeFileSync(data, JSON.stringify({ messages: [{ role: 'user', content: 'say hello' }, { role: 'assistant', content: 'hello world' }] }) + '\n');
    let out = '';
    let err = '';
    const code = await main(['render', data, '--template', SP, '--json'], { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, isTTY: false, cwd: dir });
    assert.equal(code, 0, err);
    const r = JSON.parse(out.trim().split('\n')[0]);
    assert.equal(r.text, '<s>[user] say hello</s><s>[assistant] hello world</s>');
    const tok = loadFolderTokenizer(SP)!;
    assert.deepEqual(r.tokens.map((t: { id: number }) => t.id), tok.encode(r.text).ids);
    const trained = r.tokens.filter((t: { trained: boolean }) => t.trained);
    assert.equal(trained.map((t: { text: string }) => t.text).join('').trim(), 'hello world</s>');
    assert.equal(trained.at(-1).id, 2, 'EOS is trained');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
