// The trained span of each preset on a multi-turn chat, and of templates that mark it with {% generation %}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRendering, createRenderer, PRESET_NAMES, type PresetName, type Rendering } from '../../../src/core/template/index';

const trained = (x: Rendering) => x.trainSpans.map(([a, b]) => x.text.slice(a, b));
const untrained = (x: Rendering) => {
  let out = '';
  let last = 0;
  for (const [a, b] of x.trainSpans) { out += x.text.slice(last, a); last = b; }
  return out + x.text.slice(last);
};

const messages = [
  { role: 'user', content: 'What is the capital of France?' },
  { role: 'assistant', content: 'Paris.' },
  { role: 'user', content: 'And of Italy?' },
  { role: 'assistant', content: 'Rome, since 1871.' },
];

// Each response is trained with the end-of-turn marker its template writes right after it, and nothing else.
const END: Record<PresetName, string> = {
  'byte-level': '<|end|>',
  alpaca: '',
  chatml: '<|im_end|>',
  'llama-3': '<|eot_id|>',
  mistral: '</s>',
  gemma: '<end_of_turn>',
  'phi-3': '<|end|>',
  zephyr: '</s>',
  plain: '</s>',
};

for (const name of PRESET_NAMES.filter((n) => n !== 'alpaca')) {
  test(`${name}: a multi-turn chat trains exactly the assistant turns and their end-of-turn marker`, () => {
    const x = createRenderer({ preset: name }).render({ messages });
    assert.deepEqual(trained(x), [`Paris.${END[name]}`, `Rome, since 1871.${END[name]}`]);
    const rest = untrained(x);
    assert.ok(rest.includes('What is the capital of France?') && rest.includes('And of Italy?'));
    assert.ok(!rest.includes('Paris.') && !rest.includes('Rome'));
    // spans are sorted, disjoint and inside the text
    x.trainSpans.forEach(([a, b], i) => {
      assert.ok(a < b && b <= x.text.length);
      if (i > 0) assert.ok(a > x.trainSpans[i - 1][1]);
    });
  });
}

test('templates that trim the content (Llama 3, Gemma) train the trimmed text, not the whitespace they dropped', () => {
  const msgs = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '\n  Bonjour 🎉 \n' }];
  for (const [name, end] of [['llama-3', '<|eot_id|>'], ['gemma', '<end_of_turn>']] as const) {
    const x = createRenderer({ preset: name }).render({ messages: msgs });
    assert.deepEqual(trained(x), [`Bonjour 🎉${end}`], name);
  }
  // ChatML keeps it, so trains it
  assert.deepEqual(trained(createRenderer({ preset: 'chatml' }).render({ messages: msgs })), ['\n  Bonjour 🎉 \n<|im_end|>']);
});

test('a response equal to text in the prompt is still located at its own turn', () => {
  const x = createRenderer({ preset: 'chatml' }).render({
    messages: [{ role: 'user', content: 'Say yes' }, { role: 'assistant', content: 'yes' }, { role: 'user', content: 'yes' }, { role: 'assistant', content: 'yes' }],
  });
  const spans = x.trainSpans.map(([a]) => x.text.slice(0, a));
  assert.deepEqual(spans.map((s) => s.endsWith('<|im_start|>assistant\n')), [true, true]);
  assert.equal(untrained(x).split('yes').length - 1, 2); // the two user "yes" stay untrained
});

test('an empty response still trains its end-of-turn marker, so the model learns to stop', () => {
  const x = createRenderer({ preset: 'chatml' }).render({ messages: [{ role: 'user', content: 'Be silent.' }, { role: 'assistant', content: '' }] });
  assert.deepEqual(trained(x), ['<|im_end|>']);
});

test('alpaca records under a chat template: instruction and input form the user turn, output is trained', () => {
  const x = createRenderer({ preset: 'llama-3' }).render({ instruction: 'Add.', input: '2 3', output: '5' });
  assert.equal(x.text, '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nAdd.\n\n2 3<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n5<|eot_id|>');
  assert.deepEqual(trained(x), ['5<|eot_id|>']);
});

test('the tokenizer EOS given to the renderer is what the template writes and what ends the span', () => {
  const r = createRenderer({ preset: 'alpaca', bosToken: '<|bos|>', eosToken: '<|eos|>' });
  const x = r.render({ instruction: 'Hi', output: 'Hello' });
  assert.ok(x.text.startsWith('<|bos|>Below is an instruction'));
  assert.deepEqual(trained(x), ['Hello<|eos|>']);
});

interface GenCase { template: string; name: string; variables: { messages: Array<{ role: string; content: string }>; add_generation_prompt: boolean }; text: string; generationSpans: Array<[number, number]> }
const gen = JSON.parse(readFileSync(join(__dirname, '../../fixtures/templates/generation-tags.json'), 'utf8')) as { templates: Record<string, string>; cases: GenCase[] };

test('{% generation %} blocks give the same spans as transformers\' AssistantTracker, whitespace control included', () => {
  assert.ok(gen.cases.length >= 8);
  for (const c of gen.cases) {
    const r = createRenderer({ template: gen.templates[c.template], bosToken: '<s>', eosToken: '</s>' });
    const ends = c.variables.messages.at(-1)!.role !== 'assistant';
    if (ends) { assert.equal(r.renderPrompt({ messages: c.variables.messages }), c.text, `${c.template} ${c.name}`); continue; }
    const d = r.renderDetailed({ messages: c.variables.messages });
    assert.equal(d.text, c.text, `${c.template} ${c.name}`);
    assert.equal(d.maskSource, 'generation');
    assert.deepEqual(d.trainSpans, c.generationSpans.filter(([a, b]) => b > a), `${c.template} ${c.name}`);
  }
});

test('a template whose output depends on the response text is located by search and flagged as an uncertain mask', () => {
  const r = createRenderer({
    template: "{% for m in messages %}{% if m.role == 'assistant' %}[A]{% if m.content.startswith('Answer') %}{{ m.content }}{% else %}(none){% endif %}</s>{% else %}[U]{{ m.content }}{% endif %}{% endfor %}",
  });
  const d = r.renderDetailed({ messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: 'Answer: 42' }] });
  assert.equal(d.text, '[U]Q[A]Answer: 42</s>');
  assert.equal(d.placement, 'searched');
  assert.deepEqual(trained(d), ['Answer: 42</s>']);
  assert.deepEqual(analyzeRendering(d, r).map((w) => w.code), ['uncertain-mask']);
});

test('a template that transforms the response in place is still aligned exactly', () => {
  const r = createRenderer({ template: "{% for m in messages %}{% if m.role == 'assistant' %}[A]{{ m.content.replace('Answer: ', '') }}</s>{% else %}[U]{{ m.content }}{% endif %}{% endfor %}" });
  const d = r.renderDetailed({ messages: [{ role: 'user', content: 'Answer: 42?' }, { role: 'assistant', content: 'Answer: 42' }] });
  assert.equal(d.placement, 'aligned');
  assert.deepEqual(trained(d), ['42</s>']);
});

test('a preference record with a message-list prompt and text answers renders each answer as the assistant\'s reply', () => {
  const r = createRenderer({ preset: 'chatml' });
  const prompt = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is 2+2?' }];
  const mixed = r.renderPreference({ prompt, chosen: '4', rejected: 'Five.' });
  const asMessages = r.renderPreference({ prompt, chosen: [{ role: 'assistant', content: '4' }], rejected: [{ role: 'assistant', content: 'Five.' }] });
  assert.equal(mixed.chosen.text, asMessages.chosen.text);
  assert.deepEqual(trained(mixed.chosen), trained(asMessages.chosen));
  assert.ok(trained(mixed.rejected).join('').includes('Five.'));
  assert.ok(!trained(mixed.chosen).join('').includes('What is 2+2?'), 'the prompt is not trained on');
});
