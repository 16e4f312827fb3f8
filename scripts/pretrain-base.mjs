#!/usr/bin/env node
// Re-creates the built-in base model (media/models/base/) with the project's own trainer, reproducibly:
//   1. the corpus: scripts/pretrain-corpus.mjs (KJV + procedural generic text, seed 12) → runs/pretrain-corpus/;
//   2. pretraining: `instruct-studio train --stage pretrain` from random weights (`--model scratch`) with the settings
//      below, a fixed number of steps (with a wall-clock cap), eval on the held-out slice;
//   3. the model folder: the best checkpoint's weights (lowest held-out loss), tokenizer, template, the held-out slice
//      and a model card with the figures this run measured.
//
//   npm run build && node scripts/pretrain-base.mjs [--steps 12000] [--minutes 110] [--out runs/pretrain-base] [--model-dir media/models/base]
//   node scripts/pretrain-base.mjs --export-only     # step 3 only, from a finished (or stopped) run
// The defaults are the shipped model's settings: steps 1–2 took about 85 minutes on 2 cores (wasm, ~2.4 steps/s); run
// them at high priority on a shared machine (nice -n -10). How long to pretrain was sized with a PyTorch replica of
// the same architecture on a GPU (fine-tuning from 3k, 6k, 12k and 24k pretraining steps): 12k was where the
// fine-tuning speed-up saturated; the shipped weights themselves come from this project's own trainer.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '12000' },
    from: { type: 'string', default: 'scratch' },
    lr: { type: 'string', default: '3e-3' },
    minutes: { type: 'string', default: '110' },
    out: { type: 'string', default: 'runs/pretrain-base' },
    'corpus-dir': { type: 'string', default: 'runs/pretrain-corpus' },
    'model-dir': { type: 'string', default: 'media/models/base' },
    'export-only': { type: 'boolean', default: false },
    'procedural-mb': { type: 'string', default: '8' },
    'copy-share': { type: 'string', default: '0.8' },
    'corpus-seed': { type: 'string', default: '13' },
  },
});

/** Everything that decides the model, in one place (the model card repeats it). */
export const PRETRAIN = {
  corpusSeed: Number(opts['corpus-seed']),
  proceduralMegabytes: Number(opts['procedural-mb']),
  /** Share of procedural snippets that copy from their context (null: every generator alike). */
  copyShare: opts['copy-share'] === '' ? null : Number(opts['copy-share']),
  model: { dModel: 128, nLayers: 2, nHeads: 4, contextLength: 128 },
  training: { seed: 1337, batch: 16, lr: Number(opts.lr), evalEvery: 200 },
  /** `scratch`, or an earlier session's run folder to continue from (its best weights, a fresh optimizer and schedule). */
  from: opts.from,
  // A fixed step count (not a time-sized schedule): a shared machine's speed varies, the result must not.
  steps: Number(opts.steps),
  /** A safety cap only: the run stops there even if the steps are not done. */
  minutes: Number(opts.minutes),
};

const corpus = join(opts['corpus-dir'], 'corpus.txt');
const heldout = join(opts['corpus-dir'], 'heldout.txt');

if (!opts['export-only']) {
  execFileSync(process.execPath, ['scripts/pretrain-corpus.mjs', '--out', opts['corpus-dir'], '--seed', String(PRETRAIN.corpusSeed), '--procedural-mb', String(PRETRAIN.proceduralMegabytes), ...(PRETRAIN.copyShare === null ? [] : ['--copy-share', String(PRETRAIN.copyShare)])], { stdio: 'inherit' });
  const m = PRETRAIN.model;
  const t = PRETRAIN.training;
  const args = [
    'dist/cli.js', 'train', '--stage', 'pretrain', '--model', PRETRAIN.from, '--template', 'byte-level',
    '--data', corpus, '--eval', heldout, '--out', opts.out,
    '--d-model', String(m.dModel), '--layers', String(m.nLayers), '--heads', String(m.nHeads), '--context', String(m.contextLength),
    '--seed', String(t.seed), '--batch', String(t.batch), '--lr', String(t.lr), '--eval-every', String(t.evalEvery),
    '--exact-match-samples', '0', '--steps', String(PRETRAIN.steps), '--max-minutes', String(PRETRAIN.minutes),
  ];
  console.log(`node ${args.join(' ')}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// ---- export the model folder ------------------------------------------------------------------------------------
const run = JSON.parse(readFileSync(join(opts.out, 'run.json'), 'utf8'));
const rows = readFileSync(join(opts.out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const train = rows.filter((r) => r.split === undefined);
const evals = rows.filter((r) => r.split === 'eval');
const best = evals.reduce((a, b) => (b.loss < a.loss ? b : a));
const last = train.at(-1);
const dir = opts['model-dir'];
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
// Weights only (no optimizer): training_state.json there holds just the files' SHA-256, which loading checks.
for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'template.json', 'training_state.json']) {
  const from = join(opts.out, 'best', f);
  if (existsSync(from)) copyFileSync(from, join(dir, f));
}
copyFileSync(heldout, join(dir, 'heldout.txt'));
const kb = (f) => Math.round(statSync(join(dir, f)).size / 1024);
const corpusInfo = existsSync(corpus) ? `${(statSync(corpus).size / 1e6).toFixed(1)} MB (${statSync(corpus).size.toLocaleString('en')} bytes, one byte-level token each)` : 'see scripts/pretrain-corpus.mjs';
const fmt = (x) => x.toFixed(3);
const minutes = (s) => `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
const steps = run.step ?? last.step;
const finalEval = evals.at(-1);
const tokensSeen = steps * PRETRAIN.training.batch * PRETRAIN.model.contextLength;
writeFileSync(join(dir, 'README.md'), `# Instruct Studio built-in base model (\`tiny\`)

A byte-level GPT pre-trained by Instruct Studio's own trainer (\`instruct-studio train --stage pretrain\`), shipped
with the extension as the default model to instruction-tune. \`--model scratch\` is the same architecture from random
weights.

## Model
- Architecture: GPT-2 style decoder (pre-LayerNorm, causal self-attention, GELU MLP, learned positions, tied
  embeddings), ${PRETRAIN.model.nLayers} layers, d_model ${PRETRAIN.model.dModel}, ${PRETRAIN.model.nHeads} heads, context ${PRETRAIN.model.contextLength} tokens, ${run.config ? '' : ''}446,848 parameters, float32.
- Tokenizer: bytes (256) plus 7 special tokens (\`<|pad|>\`, \`<|bos|>\`, \`<|eos|>\`, chat role markers); vocabulary 263.
- Files: \`config.json\`, \`model.safetensors\` (${kb('model.safetensors')} KiB), \`tokenizer.json\`, \`template.json\` (the
  \`byte-level\` prompt template fine-tuning uses by default), \`heldout.txt\` (the held-out slice of the corpus, for the
  forgetting probe).

## Data
Built by \`scripts/pretrain-corpus.mjs\` (seed ${PRETRAIN.corpusSeed}): ${corpusInfo}.
- The King James Version of the Bible, from Debian's \`bible-kjv-text\` (printed with \`bible\` from \`bible-kjv\`), one
  chapter per document. The text is in the public domain (the package's copyright file: the translation's copyright
  has expired). Chosen because it is installable here, large enough and free of licence doubt.
- Procedurally generated generic text (~${PRETRAIN.proceduralMegabytes} MB, written by the script; no licence question${PRETRAIN.copyShare === null ? '' : `; ${Math.round(PRETRAIN.copyShare * 100)}% of its snippets copy something from their own context`}): code words
  and lines copied later in a document, lists repeated in order, key–value records recalled, words spelled letter by
  letter, counting, numbers in prose, the alphabet and digits in order, headings in capitals. Its vocabulary is the
  KJV's own words.
- Never in the corpus: the instruction/response format, and the evaluation tasks as a transformation of a given input
  (reversing, sorting, adding, first letters, upper-casing). The demo's "before tuning" figures are those of a model
  that has not seen an instruction.
- Held out (never trained on): Genesis 1 (also in \`media/samples/general-text.txt\`), the books of Ruth and Jonah,
  and procedural documents from another seed: \`heldout.txt\`.

## Training
\`scripts/pretrain-base.mjs\`: from random weights (seed ${PRETRAIN.training.seed}), next-token loss on every token, documents
packed into full rows with BOS/EOS between them; AdamW, peak learning rate ${PRETRAIN.training.lr}, linear warmup then cosine
decay, batch ${PRETRAIN.training.batch} rows × ${PRETRAIN.model.contextLength} tokens, ${PRETRAIN.steps} steps (capped at ${PRETRAIN.minutes} minutes of wall clock).
Measured: ${steps} steps${steps < PRETRAIN.steps ? ' (the wall-clock cap came first)' : ''} (${(tokensSeen / 1e6).toFixed(2)} M tokens, ${(tokensSeen / statSync(corpus).size).toFixed(2)} passes over the corpus) in ${minutes(finalEval.elapsed_s)} on
${run.backend?.name ?? 'wasm'} (2 CPU cores); training loss ${fmt(train[0].loss)} → ${fmt(last.loss)};
held-out loss ${fmt(evals[0].loss)} → ${fmt(best.loss)} nats per byte (best at step ${best.step}, the weights shipped).

## Intended use and limits
A teaching and demo model: fast to instruction-tune on a laptop CPU (\`npm run demo\`; the README gives what the demo
measured), small enough to ship (${kb('model.safetensors')} KiB). It continues text in the style of its corpus and knows nothing about
the world beyond it; it is not a chat model before tuning, and its answers are not to be trusted for anything real.
After ${(tokensSeen / 1e6).toFixed(0)} M tokens it writes the corpus's forms (prose, lists, words spelled letter by letter), but it does not
yet copy a string it has never seen from its context (a made-up code word in a "secret word" story comes back as
another made-up word), so instruction tuning still has to teach the string tasks their copying; it has learnt no
arithmetic worth the name.
Archaic English from the KJV shows in its continuations. For real work, fine-tune a Hugging Face model folder instead
(\`--model DIR\`).

## Licence
Weights: MIT, as Instruct Studio. Training text: public domain (KJV) and generated by the project.
`);
console.log(`wrote ${dir}: step ${steps}, held-out loss ${fmt(best.loss)} (step ${best.step})`);
