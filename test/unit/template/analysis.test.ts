import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRendering, createRenderer, defaultRenderer, PRESETS, tokenView, trainedTokenMask } from '../../../src/core/template/index';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';

const tok = new ByteTokenizer();
const chat = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello there' }] };
const codes = (ws: Array<{ code: string }>) => ws.map((w) => w.code);

test('the built-in format on the built-in tokenizer raises no warning', () => {
  const r = defaultRenderer();
  for (const rec of [chat, { instruction: 'a', input: 'b', output: 'c' }, { prompt: 'p', completion: 'c' }]) {
    assert.deepEqual(analyzeRendering(r.renderDetailed(rec), r, { tokenizer: tok, maxLength: 1000 }), []);
  }
});

test('no EOS after the response', () => {
  const r = createRenderer({ template: '### Q: {{ instruction }}\n### A: {{ output }}' });
  const ws = analyzeRendering(r.renderDetailed({ instruction: 'q', output: 'a' }), r);
  assert.deepEqual(codes(ws), ['no-eos']);
  assert.equal(ws[0].field, 'output');
});

test('an end-of-turn token written after the response but outside the generation block is reported as untrained', () => {
  const r = createRenderer({ template: "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}<|im_end|>{% else %}{{ m.content }}{% endif %}{% endfor %}" });
  const ws = analyzeRendering(r.renderDetailed(chat), r);
  assert.deepEqual(codes(ws), ['no-eos']);
  assert.match(ws[0].message, /<\|im_end\|> after the response is not trained/);
  assert.equal(ws[0].field, 'messages[1].content');
});

test('response outside the trained span, and prompt text inside it', () => {
  const r = createRenderer({
    template: "{% for m in messages %}{% if m.role == 'assistant' %}{{ m.content }}{% generation %}<|eos|>{% endgeneration %}{% else %}{% generation %}{{ m.content }}{% endgeneration %}{% endif %}{% endfor %}",
  });
  const d = r.renderDetailed(chat);
  const ws = analyzeRendering(d, r);
  assert.deepEqual(codes(ws).sort(), ['prompt-trained', 'response-not-trained']); // its EOS is trained
  const prompt = ws.find((w) => w.code === 'prompt-trained')!;
  assert.equal(d.text.slice(...prompt.span!), 'Hi');
});

test('a generation block that takes the assistant header in trains prompt tokens', () => {
  const r = createRenderer({ template: "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}<|im_start|>assistant\n{{ m.content }}<|im_end|>{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}" });
  const ws = analyzeRendering(r.renderDetailed(chat), r);
  assert.deepEqual(codes(ws), ['prompt-trained']);
  assert.match(ws[0].message, /<\|im_start\|>assistant/);
});

test('a record without a response trains nothing', () => {
  const r = defaultRenderer();
  const ws = analyzeRendering(r.renderDetailed({ messages: [{ role: 'user', content: 'Hi' }] }), r);
  assert.deepEqual(codes(ws), ['nothing-trained']);
});

test('the template differs from the model\'s own chat template', () => {
  const r = createRenderer({ preset: 'chatml' });
  const d = r.renderDetailed(chat);
  assert.deepEqual(analyzeRendering(d, r, { modelTemplate: PRESETS.chatml.templates.chat! + '\n' }), []);
  assert.deepEqual(codes(analyzeRendering(d, r, { modelTemplate: PRESETS['llama-3'].templates.chat! })), ['template-differs']);
  const alpaca = createRenderer({ preset: 'alpaca' });
  assert.deepEqual(codes(analyzeRendering(alpaca.renderDetailed({ instruction: 'a', output: 'b' }), alpaca, { modelTemplate: 'x' })), ['template-differs']);
});

test('truncation at the max length that cuts the response', () => {
  const r = defaultRenderer();
  const d = r.renderDetailed(chat);
  const total = tok.countTokens(d.text);
  assert.deepEqual(analyzeRendering(d, r, { tokenizer: tok, maxLength: total }), []);
  const partly = analyzeRendering(d, r, { tokenizer: tok, maxLength: total - 3 });
  assert.deepEqual(codes(partly), ['truncated-response']);
  assert.match(partly[0].message, /3 of 12 trained tokens are cut/);
  const all = analyzeRendering(d, r, { tokenizer: tok, maxLength: 5 });
  assert.match(all[0].message, /the whole response is cut off/);
});

test("markers the tokenizer does not know as special tokens are reported once each", () => {
  const r = createRenderer({ preset: 'chatml', eosToken: tok.eosToken });
  const ws = analyzeRendering(r.renderDetailed(chat), r, { tokenizer: tok });
  assert.deepEqual(ws.map((w) => w.message), [
    '<|im_start|> is not a special token of the byte-level tokenizer: it is split into 12 ordinary tokens',
    '<|im_end|> is not a special token of the byte-level tokenizer: it is split into 10 ordinary tokens',
  ]);
});

test('token view: trained flags follow the spans, texts concatenate back to the rendering', () => {
  const r = defaultRenderer();
  const x = r.render({ messages: [{ role: 'user', content: 'é' }, { role: 'assistant', content: 'ü!' }] });
  const view = tokenView(x, tok);
  assert.equal(view.map((t) => t.text).join(''), x.text);
  assert.deepEqual(view.filter((t) => t.trained).map((t) => t.id), [0xc3, 0xbc, 0x21, tok.specialTokens.get('<|end|>')]);
  assert.deepEqual(view.filter((t) => t.special).map((t) => t.text), ['<|bos|>', '<|user|>', '<|end|>', '<|assistant|>', '<|end|>']);
});

test('a token straddling a span boundary is trained, as in transformers\' assistant mask', () => {
  assert.deepEqual(trainedTokenMask([[0, 3], [3, 6], [6, 9], [9, 12]], [[4, 7]]), [false, true, true, false]);
  assert.deepEqual(trainedTokenMask([[0, 2], [2, 4]], []), [false, false]);
  assert.deepEqual(trainedTokenMask([[0, 2], [2, 4], [4, 6]], [[0, 2], [4, 6]]), [true, false, true]);
});
