#!/usr/bin/env node
// Prepares a check that Instruct Studio's exports load in transformers and peft themselves (run check.py where they
// are installed; they cannot be installed on the development machines). Writes to OUT:
//   exp-base/     the built-in base model exported as a Hugging Face GPT-2 folder
//   lora-run/     a 30-step LoRA fine-tune of it on the bundled multitask sample
//   exp-adapter/  that run as a PEFT adapter folder (its base beside it)
//   exp-merged/   that run merged into a Hugging Face folder
//   ref_*.json    greedy generations and a rendering by this product, which check.py compares with transformers'
//
//   npm run build && node scripts/hf-interop/prepare.mjs OUT && python3 scripts/hf-interop/check.py OUT
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const out = resolve(process.argv[2] ?? 'runs/hf-interop');
const cli = (...args) => execFileSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cli('export', '--checkpoint', 'media/models/base', '-o', join(out, 'exp-base'));
cli('train', '--model', 'tiny', '--lora', '--steps', '30', '--batch', '8', '--data', 'media/samples/multitask-train.jsonl',
  '--eval', 'media/samples/multitask-eval.jsonl', '--exact-match-samples', '0', '--out', join(out, 'lora-run'));
cli('export', '--checkpoint', join(out, 'lora-run'), '-o', join(out, 'exp-adapter'));
cli('export', '--checkpoint', join(out, 'lora-run'), '--merge', '-o', join(out, 'exp-merged'));
const record = { instruction: 'Spell this word backwards.', input: 'glacier' };
writeFileSync(join(out, 'ref_base.json'), cli('generate', '--model', join(out, 'exp-base'), '--prompt', 'In the beginning God created the heaven', '--raw', '--max-new-tokens', '40', '--json'));
writeFileSync(join(out, 'ref_merged.json'), cli('generate', '--model', join(out, 'exp-merged'), '--record', JSON.stringify(record), '--max-new-tokens', '24', '--json'));
// The chat form, as transformers' apply_chat_template will render it from messages.
const chat = { messages: [{ role: 'user', content: `${record.instruction}\n\n${record.input}` }, { role: 'assistant', content: 'reicalg' }] };
writeFileSync(join(out, 'rec.jsonl'), `${JSON.stringify(chat)}\n`);
writeFileSync(join(out, 'rec_render.json'), cli('render', join(out, 'rec.jsonl'), '--template', join(out, 'exp-merged'), '--json').split('\n')[0]);
console.log(`prepared ${out}; now: python3 scripts/hf-interop/check.py ${out}`);
