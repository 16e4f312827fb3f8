import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRenderer, RenderError, type Rendering } from '../../../src/core/template/index';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';

const r = defaultRenderer();
const trained = (x: Rendering) => x.trainSpans.map(([a, b]) => x.text.slice(a, b));
/** Every character outside the spans, concatenated: what the loss must never see. */
const untrained = (x: Rendering) => {
  let out = '';
  let last = 0;
  for (const [a, b] of x.trainSpans) { out += x.text.slice(last, a); last = b; }
  return out + x.text.slice(last);
};

test('alpaca: rendered as the user and assistant turns of the chat form, output + end marker trained', () => {
  const rec = { instruction: 'Add the numbers.', input: '2 3', output: '5' };
  const x = r.render(rec);
  assert.equal(x.text, '<|bos|><|user|>Add the numbers.\n\n2 3<|end|><|assistant|>5<|end|>');
  assert.deepEqual(trained(x), ['5<|end|>']);
  assert.deepEqual(x.trainSpans, [[x.text.length - '5<|end|>'.length, x.text.length]]);
  // The same text as the conversation the record stands for, through the chat form: one format to learn.
  const chat = r.render({ messages: [{ role: 'user', content: 'Add the numbers.\n\n2 3' }, { role: 'assistant', content: '5' }] });
  assert.equal(chat.text, x.text);
  assert.deepEqual(chat.trainSpans, x.trainSpans);
  // Its markers are single tokens: 7 tokens of markup (with the blank line) around the record's own 20 bytes.
  assert.equal(new ByteTokenizer().encode(x.text).ids.length, 7 + 'Add the numbers.'.length + '2 3'.length + '5'.length);
});

test('alpaca without input leaves out the blank line and input; renderPrompt stops right before the response', () => {
  const rec = { instruction: 'Say hi.', input: '', output: 'Hi!' };
  const x = r.render(rec);
  assert.equal(x.text, '<|bos|><|user|>Say hi.<|end|><|assistant|>Hi!<|end|>');
  assert.equal(r.renderPrompt(rec), '<|bos|><|user|>Say hi.<|end|><|assistant|>');
  assert.equal(r.renderPrompt({ instruction: 'Say hi.' }), '<|bos|><|user|>Say hi.<|end|><|assistant|>');
  const sys = r.render({ system: 'Be brief.', instruction: 'Say hi.', output: 'Hi!' });
  assert.equal(sys.text, '<|bos|><|system|>Be brief.<|end|><|user|>Say hi.<|end|><|assistant|>Hi!<|end|>');
});

test('prompt/completion: plain concatenation, completion + EOS trained', () => {
  const x = r.render({ prompt: 'The sky is', completion: ' blue.' });
  assert.equal(x.text, '<|bos|>The sky is blue.<|eos|>');
  assert.deepEqual(trained(x), [' blue.<|eos|>']);
  assert.equal(r.renderPrompt({ prompt: 'The sky is' }), '<|bos|>The sky is');
});

test('single-turn chat: only the assistant content and its end token are trained', () => {
  const x = r.render({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }] });
  assert.equal(x.text, '<|bos|><|user|>Hi<|end|><|assistant|>Hello!<|end|>');
  assert.deepEqual(x.trainSpans, [[x.text.indexOf('Hello!'), x.text.length]]);
  assert.equal(untrained(x), '<|bos|><|user|>Hi<|end|><|assistant|>');
});

test('multi-turn chat with a system prompt: one span per assistant turn, prompts and headers untrained', () => {
  const x = r.render({
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'And of Italy?' },
      { role: 'assistant', content: 'Rome.' },
    ],
  });
  assert.equal(x.text, '<|bos|><|system|>Be brief.<|end|><|user|>Capital of France?<|end|><|assistant|>Paris.<|end|><|user|>And of Italy?<|end|><|assistant|>Rome.<|end|>');
  assert.deepEqual(trained(x), ['Paris.<|end|>', 'Rome.<|end|>']);
  assert.equal(untrained(x), '<|bos|><|system|>Be brief.<|end|><|user|>Capital of France?<|end|><|assistant|><|user|>And of Italy?<|end|><|assistant|>');
});

test('the same mask at token level: trained tokens are exactly the assistant bytes and their <|end|>', () => {
  const tok = new ByteTokenizer();
  const x = r.render({ messages: [{ role: 'user', content: 'é?' }, { role: 'assistant', content: 'ça' }, { role: 'user', content: 'ok' }, { role: 'assistant', content: 'oui' }] });
  const { ids, offsets } = tok.encode(x.text);
  const inSpan = (o: [number, number]) => x.trainSpans.some(([a, b]) => o[0] >= a && o[1] <= b);
  const trainedIds = ids.filter((_, i) => inSpan(offsets[i]));
  const end = tok.specialTokens.get('<|end|>')!;
  assert.deepEqual(trainedIds, [...Buffer.from('ça'), end, ...Buffer.from('oui'), end]);
  // no token straddles a span boundary
  assert.ok(offsets.every((o) => inSpan(o) || x.trainSpans.every(([a, b]) => o[1] <= a || o[0] >= b)));
});

test('tool calls are trained as part of the assistant turn; tool results are context', () => {
  const x = r.render({
    messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'weather', arguments: { city: 'Oslo' } } }] },
      { role: 'tool', content: '-3C' },
      { role: 'assistant', content: 'It is -3C.' },
    ],
  });
  assert.deepEqual(trained(x), [
    '<tool_call>[{"type": "function", "function": {"name": "weather", "arguments": {"city": "Oslo"}}}]</tool_call><|end|>',
    'It is -3C.<|end|>',
  ]);
  assert.match(untrained(x), /<\|user\|>Tool result:\n-3C<\|end\|>/);
});

test('renderPrompt of a chat drops the final assistant turn and opens a new one', () => {
  const msgs = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }];
  assert.equal(r.renderPrompt({ messages: msgs }), '<|bos|><|user|>Hi<|end|><|assistant|>');
  assert.equal(r.renderPrompt({ messages: msgs.slice(0, 1) }), '<|bos|><|user|>Hi<|end|><|assistant|>');
  // the rendering is a prefix-extension of the prompt: generation continues where training saw the response
  assert.ok(r.render({ messages: msgs }).text.startsWith(r.renderPrompt({ messages: msgs })));
});

test('records that cannot be rendered name the field', () => {
  const field = (rec: Record<string, unknown>) => {
    try { r.render(rec); } catch (e) { assert.ok(e instanceof RenderError, String(e)); return [e.field, e.message]; }
    assert.fail('expected a RenderError');
  };
  assert.equal(field({ instruction: 'x' })[0], 'output');
  assert.equal(field({ instruction: 3, output: 'y' })[0], 'instruction');
  assert.equal(field({ messages: [{ role: 'user', content: 3 }] })[0], 'messages[0].content');
  assert.equal(field({ messages: [{ content: 'x' }] })[0], 'messages[0].role');
  assert.equal(field({ messages: 'hi' })[0], 'messages');
  const [f, msg] = field({ messages: [{ role: 'bot', content: 'x' }] });
  assert.equal(f, 'messages');
  assert.match(msg!, /Unknown role 'bot'/);
  assert.match(field({ text: 'x' })[1]!, /cannot tell the record format.*text/);
  assert.equal(field({ instruction: 'a\uFDD0', output: 'b' })[0], 'instruction');
});
