import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readInChunks, SMALL_BUFFER_CHARS, type LineSource } from '../../../src/host/dataset/chunkedText';
import { contentText } from '../../../src/shared/protocol/datasetWorker';

function source(lines: string[], unchanged: () => boolean = () => true): LineSource & { reads: number } {
  const text = lines.join('\n');
  const src = {
    reads: 0,
    lineCount: lines.length,
    length: text.length,
    textOfLines(start: number, end: number) {
      src.reads++;
      return lines.slice(start, end).join('\n') + (end < lines.length ? '\n' : '');
    },
    text: () => text,
    unchanged,
  };
  return src;
}

test('a small buffer travels as one string', async () => {
  const src = source(['{"prompt": "a", "completion": "b"}', '']);
  assert.deepEqual(await readInChunks(src), { text: '{"prompt": "a", "completion": "b"}\n' });
  assert.equal(src.reads, 0);
});

test('a big buffer is read in slices of whole lines that decode to exactly the buffer', async () => {
  const line = JSON.stringify({ instruction: 'Traduis « bonjour » 🎉', output: 'hello '.repeat(40) });
  const lines = Array.from({ length: Math.ceil((SMALL_BUFFER_CHARS * 2.5) / line.length) }, (_, i) => `${line.slice(0, -1)}, "i": ${i}}`);
  lines.push(''); // the buffer ends with a line break
  const src = source(lines);
  const content = await readInChunks(src);
  assert.ok(content && 'chunks' in content, 'sent as chunks');
  assert.ok(content.chunks.length >= 5, `${content.chunks.length} chunks`);
  assert.equal(contentText(content), lines.join('\n'));
  // Each slice ends at a line break, so no record is split between two slices.
  const decoder = new TextDecoder();
  for (const c of content.chunks.slice(0, -1)) assert.ok(decoder.decode(c).endsWith('\n'));
});

test('the read yields between slices and is abandoned once the buffer changes', async () => {
  const line = 'x'.repeat(999);
  const lines = Array.from({ length: 5000 }, () => line);
  const src = source(lines, () => src.reads < 2);
  // Queued before the read starts: it must get its turn right after the first slice, not after the whole buffer.
  let readsWhenOthersRan = -1;
  setImmediate(() => { readsWhenOthersRan = src.reads; });
  const content = await readInChunks(src);
  assert.equal(readsWhenOthersRan, 1);
  assert.equal(content, undefined);
  assert.equal(src.reads, 2);
});
