// Every preset renders exactly as apply_chat_template does (fixtures made with Jinja2 by
// scripts/gen-template-fixtures.py), both through the engine directly and through the record renderer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTemplate, createRenderer, PRESETS, RenderError, TemplateError, type PresetName } from '../../../src/core/template/index';
import { extractGenerations } from '../../../src/core/template/spans';

interface Case {
  name: string;
  kind: 'chat' | 'instruction' | 'completion';
  variables: Record<string, unknown> & { messages?: Array<{ role: string; content?: string }>; add_generation_prompt?: boolean };
  text?: string;
  error?: string;
  generationSpans?: Array<[number, number]>;
}
interface Fixture { preset: PresetName; templates: Record<string, string>; bosToken: string; eosToken: string; cases: Case[] }

const dir = join(__dirname, '../../fixtures/templates');
const fixtures: Fixture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
  .filter((f) => typeof f.preset === 'string');

test('there is a fixture for every preset', () => {
  assert.deepEqual(fixtures.map((f) => f.preset).sort(), Object.keys(PRESETS).sort());
});

for (const fx of fixtures) {
  test(`${fx.preset}: the fixtures were made from the current preset source`, () => {
    assert.deepEqual(fx.templates, PRESETS[fx.preset].templates);
    assert.equal(fx.bosToken, PRESETS[fx.preset].bosToken);
    assert.equal(fx.eosToken, PRESETS[fx.preset].eosToken);
  });

  test(`${fx.preset}: the engine renders every case as Jinja2 does`, () => {
    for (const c of fx.cases) {
      const t = compileTemplate(fx.templates[c.kind], fx.preset);
      if (c.error !== undefined) {
        assert.throws(() => t.render(c.variables), (e: unknown) => e instanceof TemplateError && e.reason === `raise_exception: ${c.error}`, c.name);
        continue;
      }
      const { text, generations } = extractGenerations(t.render(c.variables));
      assert.equal(text, c.text, `${fx.preset} ${c.kind} ${c.name}`);
      if (c.generationSpans) assert.deepEqual(generations, c.generationSpans.filter(([a, b]) => b > a), c.name);
    }
  });

  test(`${fx.preset}: the record renderer produces the same text`, () => {
    const r = createRenderer({ preset: fx.preset });
    for (const c of fx.cases) {
      const v = c.variables;
      const record: Record<string, unknown> =
        c.kind === 'chat' ? { messages: v.messages }
          : c.kind === 'instruction' ? { instruction: v.instruction, input: v.input, output: v.output, system: v.system }
            : { prompt: v.prompt, completion: v.completion };
      const endsWithUser = c.kind === 'chat' && v.messages!.at(-1)!.role !== 'assistant';
      if (c.kind === 'chat' && v.add_generation_prompt && !endsWithUser) continue; // not a record shape: engine-only
      const go = () => (endsWithUser ? r.renderPrompt(record) : r.render(record).text);
      if (c.error !== undefined) {
        assert.throws(go, (e: unknown) => e instanceof RenderError && e.templateError?.reason === `raise_exception: ${c.error}`, c.name);
        continue;
      }
      assert.equal(go(), c.text, `${fx.preset} ${c.kind} ${c.name}`);
    }
  });
}
