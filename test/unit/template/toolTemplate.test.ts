// A tool-using chat template (tools in the system turn, tool_calls through tojson, grouped tool responses)
// renders as Jinja2 renders it; tool calls without a generation block are reported as untrained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRendering, compileTemplate, createRenderer } from '../../../src/core/template/index';

interface Case { name: string; variables: { messages: Array<Record<string, unknown>>; tools: unknown[] | null; add_generation_prompt: boolean } & Record<string, unknown>; text: string }
const fx = JSON.parse(readFileSync(join(__dirname, '../../fixtures/templates/tool-template.json'), 'utf8')) as { template: string; cases: Case[] };

test('the engine renders tools, tool calls and tool responses exactly as Jinja2', () => {
  const t = compileTemplate(fx.template);
  assert.equal(t.kind, 'chat');
  for (const c of fx.cases) assert.equal(t.render(c.variables), c.text, c.name);
});

test('records with a tools list render the same through the renderer', () => {
  const r = createRenderer({ template: fx.template, eosToken: '<|im_end|>' });
  for (const c of fx.cases) {
    const record = { messages: c.variables.messages, ...(c.variables.tools ? { tools: c.variables.tools } : {}) };
    const text = c.variables.add_generation_prompt ? r.renderPrompt(record) : r.render(record).text;
    assert.equal(text, c.text, c.name);
  }
});

test('without generation blocks, the assistant text is trained but its tool calls are reported as not trained', () => {
  const r = createRenderer({ template: fx.template, eosToken: '<|im_end|>' });
  const c = fx.cases.find((x) => x.name === 'tool-call-and-two-responses')!;
  const d = r.renderDetailed({ messages: c.variables.messages, tools: c.variables.tools });
  assert.deepEqual(d.trainSpans.map(([a, b]) => d.text.slice(a, b)), ['Let me check.', 'Paris.<|im_end|>']);
  const ws = analyzeRendering(d, r);
  assert.deepEqual(ws.map((w) => [w.code, w.field]), [
    ['no-eos', 'messages[2].content'],
    ['response-not-trained', 'messages[2].tool_calls'],
  ]);
});

test('a tools value that is not a list names the field', () => {
  const r = createRenderer({ template: fx.template });
  assert.throws(() => r.render({ messages: [{ role: 'user', content: 'x' }], tools: 'lookup' }), /^RenderError: tools: expected a list/);
});
