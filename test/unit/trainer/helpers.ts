// Test helpers: a minimal renderer standing in for the template engine (so these tests pin the trainer's own
// behaviour), a tiny GPT config, and temp folders.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordRenderer, Rendering } from '../../../src/core/template/types';

/** `<|user|>instruction<|assistant|>output<|eos|>`, loss on `output<|eos|>`; chat: loss on every assistant turn. */
export const testRenderer: RecordRenderer = {
  render(record): Rendering {
    if (Array.isArray(record.messages)) {
      let text = '';
      const trainSpans: Array<[number, number]> = [];
      for (const m of record.messages as Array<{ role: string; content: string }>) {
        text += `<|${m.role}|>`;
        const start = text.length;
        text += m.content + '<|end|>';
        if (m.role === 'assistant') trainSpans.push([start, text.length]);
      }
      return { text: text + '<|eos|>', trainSpans };
    }
    const prompt = testRenderer.renderPrompt(record);
    const text = `${prompt}${record.output}<|eos|>`;
    return { text, trainSpans: [[prompt.length, text.length]] };
  },
  renderPrompt(record) {
    if (Array.isArray(record.messages)) {
      return (record.messages as Array<{ role: string; content: string }>).map((m) => `<|${m.role}|>${m.content}<|end|>`).join('') + '<|assistant|>';
    }
    return `<|user|>${record.instruction}${record.input ? `\n${record.input}` : ''}<|assistant|>`;
  },
};

export function tempDir(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'instruct-trainer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeJsonl(path: string, records: unknown[]): string {
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

/** A small learnable multi-task set: reverse and uppercase short words. */
export function toyRecords(n: number, seed = 1): Array<Record<string, unknown>> {
  const words = ['cat', 'dog', 'sun', 'map', 'red', 'box', 'pen', 'cup', 'hat', 'bee', 'owl', 'fig'];
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const w = words[(i * 7 + seed) % words.length];
    out.push(i % 2 === 0
      ? { instruction: 'Reverse the word.', input: w, output: [...w].reverse().join(''), task: 'reverse' }
      : { instruction: 'Uppercase the word.', input: w, output: w.toUpperCase(), task: 'upper' });
  }
  return out;
}
