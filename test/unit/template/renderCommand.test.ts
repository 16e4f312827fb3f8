// `instruct-studio render` end to end through the CLI entry point, on files in a temporary folder.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';

const dir = mkdtempSync(join(tmpdir(), 'render-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = [
  { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Bye' }, { role: 'assistant', content: 'Ciao.' }] },
  { instruction: 'Add', input: '2 3', output: '5' },
  '{not json',
  { messages: [{ role: 'user', content: 7 }] },
].map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
writeFileSync(join(dir, 'data.jsonl'), data);
writeFileSync(join(dir, 'broken.jinja'), 'ok\n{% for m in messages %}\n{{ m.content + }}\n{% endfor %}\n');
mkdirSync(join(dir, 'model'));
writeFileSync(join(dir, 'model', 'tokenizer_config.json'), JSON.stringify({
  eos_token: '<|eos|>',
  chat_template: [
    { name: 'default', template: "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>{% endfor %}" },
    { name: 'strict', template: "{% for m in messages %}{% if m.role == 'user' and m.content|length > 2 %}{{ raise_exception('user turn too long') }}{% endif %}{{ m.content }}{% endfor %}" },
  ],
}, null, 2));

async function run(args: string[], isTTY = false) {
  let stdout = '';
  let stderr = '';
  const code = await main(['render', ...args], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY, cwd: dir });
  return { code, stdout, stderr };
}

test('plain output marks the trained spans and reports records that cannot be rendered (exit 1)', async () => {
  const r = await run(['data.jsonl', '--template', 'chatml']);
  assert.equal(r.code, 1);
  assert.ok(r.stdout.includes('<|im_start|>assistant\n⟦Hello!<|im_end|>⟧\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n⟦Ciao.<|im_end|>⟧'));
  assert.ok(r.stdout.includes('<|im_start|>user\nAdd\n\n2 3<|im_end|>\n<|im_start|>assistant\n⟦5<|im_end|>⟧'));
  assert.match(r.stdout, /── data\.jsonl:1: chat record, template chatml/);
  assert.match(r.stdout, /warning \[unknown-special-token\]: <\|im_start\|> is not a special token/);
  assert.match(r.stderr, /^data\.jsonl:3: invalid JSON/m);
  assert.match(r.stderr, /^data\.jsonl:4: messages\[0\]\.content: expected a string, got number 7$/m);
});

test('--json --line: text, spans, tokens with their trained flag, warnings', async () => {
  const r = await run(['data.jsonl', '-t', 'byte-level', '--line', '2', '--json', '--max-length', '13']);
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout);
  assert.equal(out.line, 2);
  assert.equal(out.text, '<|bos|><|user|>Add\n\n2 3<|end|><|assistant|>5<|end|>');
  assert.deepEqual(out.trainSpans, [[out.text.length - 8, out.text.length]]);
  assert.equal(out.tokens.length, 14);
  assert.equal(out.tokens.map((t: { text: string }) => t.text).join(''), out.text);
  assert.equal(out.tokens.filter((t: { trained: boolean }) => t.trained).map((t: { text: string }) => t.text).join(''), '5<|end|>');
  // 13 tokens cut the closing <|end|>: the model would never learn to stop.
  assert.deepEqual(out.warnings.map((w: { code: string }) => w.code), ['truncated-response']);
});

test('colour on a terminal: trained text in bold green, no ⟦⟧ marks', async () => {
  const r = await run(['data.jsonl', '-t', 'byte-level', '--line', '1'], true);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.includes('\x1b[1;32mH\x1b[0m\x1b[1;32me\x1b[0m'));
  assert.ok(!r.stdout.includes('⟦'));
});

test('a template that does not compile: exit 2 naming the template file, line and column', async () => {
  const r = await run(['data.jsonl', '-t', 'broken.jinja']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "instruct-studio render: broken.jinja:3:16: Unexpected token: '}}'\n");
  assert.equal(r.stdout, '');
});

test('a model folder uses its tokenizer_config.json; #name picks a named template whose raise_exception names the record', async () => {
  const ok = await run(['data.jsonl', '-t', 'model', '--line', '1']);
  assert.equal(ok.code, 0);
  assert.ok(ok.stdout.includes('<|user|>Hi<|end|><|assistant|>⟦Hello!<|end|>⟧'));
  const strict = await run(['data.jsonl', '-t', 'model/tokenizer_config.json#strict', '--line', '1']);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /^data\.jsonl:1: messages: raise_exception: user turn too long \(model\/tokenizer_config\.json\[chat_template:strict\]:1:\d+\)$/m);
});

test('usage errors exit 2', async () => {
  assert.equal((await run(['data.jsonl'])).code, 2);
  assert.equal((await run(['data.jsonl', '-t', 'no-such-preset'])).code, 2);
  const r = await run(['data.jsonl', '-t', 'chatml', '--line', '9']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no record starts at line 9 \(records start at lines 1, 2, 3, 4\)/);
  assert.equal((await run(['missing.jsonl', '-t', 'chatml'])).code, 2);
});
