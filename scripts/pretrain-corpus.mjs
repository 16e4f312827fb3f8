#!/usr/bin/env node
// Builds the built-in base model's pretraining corpus, deterministically (same seed → same bytes):
//   - the King James Bible from Debian's `bible-kjv-text` (public domain: the translation's copyright expired; the
//     package's copyright file says so), dumped with `/usr/bin/bible` (package `bible-kjv`), one chapter a document;
//   - procedurally generated generic text that teaches generic skills a small model lacks after reading old prose:
//     copying random strings and words met earlier in a document (induction), lists, counting, numbers, words spelled
//     out letter by letter, the alphabet in order, headings in capitals. The words come from the KJV's own vocabulary.
// It never writes the instruction/response format, and never shows the evaluation tasks (reversing, sorting, adding,
// first letters, upper-casing) as a transformation of a given input: the demo's "before tuning" figure stays honest.
//
// Held out (never trained on; media/models/base/heldout.txt, the forgetting probe): Genesis 1 (also in
// media/samples/general-text.txt), the books of Ruth and Jonah, and procedural documents from a separate seed.
//
//   node scripts/pretrain-corpus.mjs [--out DIR] [--seed N] [--procedural-mb X] [--copy-share F]
// writes DIR/corpus.txt (documents separated by blank lines) and DIR/heldout.txt, and prints their sizes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from './samples/random.mjs';

const { values: opts } = parseArgs({ options: { out: { type: 'string', default: 'runs/pretrain-corpus' }, seed: { type: 'string', default: '12' }, 'procedural-mb': { type: 'string', default: '5' }, 'copy-share': { type: 'string', default: '' } } });
const SEED = Number(opts.seed);
const PROCEDURAL_BYTES = Math.round(Number(opts['procedural-mb']) * 1e6);
/**
 * Share of procedural snippets drawn from the copying generators (the first COPYING of the list below); empty = every
 * generator alike. Copying from the context is what instruction tasks on an input need first, and a corpus where it
 * is rare teaches it slowly.
 */
const COPY_SHARE = opts['copy-share'] === '' ? null : Number(opts['copy-share']);
const COPYING = 4;
const HELD_OUT_BOOKS = new Set(['Ruth', 'Jonah']);

// ---- KJV -------------------------------------------------------------------------------------------------------
function kjvChapters() {
  let text;
  try {
    // -f turns pretty-printing off: one verse per line, "Ge1:1 In the beginning …".
    text = execFileSync('bible', ['-f', 'Gen1:1-Rev22:21'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`cannot run /usr/bin/bible (apt-get install bible-kjv bible-kjv-text): ${e.message}`);
  }
  const chapters = [];
  let current = null;
  for (const line of text.split('\n')) {
    const m = /^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const [, book, chapter, verse, body] = m;
    if (!current || current.book !== book || current.chapter !== chapter) {
      current = { book, chapter, verses: [] };
      chapters.push(current);
    }
    current.verses.push(`${verse} ${body.trim()}`);
  }
  if (chapters.length < 1000) throw new Error(`bible printed only ${chapters.length} chapters; is bible-kjv-text installed?`);
  return chapters.map((c) => ({ book: c.book, chapter: Number(c.chapter), text: `${c.book} chapter ${c.chapter}\n${c.verses.join('\n')}` }));
}

// ---- procedural documents ---------------------------------------------------------------------------------------
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const NAMES = ['Anna', 'Boris', 'Clara', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jonas', 'Kira', 'Leo', 'Mara', 'Nils', 'Olga', 'Pavel', 'Rosa', 'Sami', 'Tess', 'Ugo', 'Vera', 'Wim', 'Yara', 'Zeno'];
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

function vocabulary(chapters) {
  const counts = new Map();
  for (const c of chapters) for (const w of c.text.match(/\b[a-z]{3,8}\b/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  // Words seen a few times, sorted for determinism: ordinary English of the text, not hapaxes.
  return [...counts].filter(([, n]) => n >= 3).map(([w]) => w).sort();
}

function generators(r, words) {
  const randomString = () => Array.from({ length: r.int(3, 9) }, () => (r.next() < 0.2 ? String(r.int(0, 9)) : r.pick(LETTERS))).join('');
  const name = () => r.pick(NAMES);
  const cap = (w) => w[0].toUpperCase() + w.slice(1);
  return [
    // Copying: a random code word stated once and repeated later in the prose (an induction-head lesson).
    () => {
      const code = randomString();
      const who = name();
      const filler = r.picks(words, r.int(3, 8)).join(' ');
      return `${who} kept a secret word: ${code}. The notes spoke of ${filler}. When asked again, ${who} said the word was ${code}, and wrote ${code} on the door.`;
    },
    // Copying a line of words verbatim, as a scribe would.
    () => {
      const line = r.picks(words, r.int(2, 6)).join(' ');
      return `The scribe read the line "${line}" and copied it out: "${line}". Then the scribe read it once more: ${line}.`;
    },
    // Key-value pairs, then recall of some of them.
    () => {
      const keys = r.picks(NAMES, r.int(2, 5));
      const vals = keys.map(() => (r.next() < 0.5 ? randomString() : r.pick(words)));
      const lines = keys.map((k, i) => `${k}: ${vals[i]}`);
      const ask = r.int(0, keys.length - 1);
      return `Record of the day\n${lines.join('\n')}\nAnd ${keys[ask]} had ${vals[ask]}.`;
    },
    // A list, then the same items again in the same order.
    () => {
      const items = r.picks(words, r.int(2, 6));
      return `${cap(r.pick(words))} list:\n${items.map((w) => `- ${w}`).join('\n')}\nThe list holds ${items.length} item${items.length === 1 ? '' : 's'}: ${items.join(', ')}.`;
    },
    // Words spelled out letter by letter.
    () => {
      const ws = r.picks(words, r.int(1, 4));
      return ws.map((w) => (r.next() < 0.5 ? `The word ${w} is spelled ${w.split('').join('-')}.` : `${cap(w)} is written with the letters ${w.split('').join(' ')}, ${w.length} letters in all.`)).join(' ');
    },
    // Counting up (and sometimes down, as in a countdown), with digits and words.
    () => {
      const start = r.int(0, 90);
      const len = r.int(4, 12);
      const seq = Array.from({ length: len }, (_, i) => start + i);
      if (r.next() < 0.2) return `The countdown began: ${seq.reverse().join(', ')}.`;
      if (r.next() < 0.3) return `Counting: ${NUMBER_WORDS.slice(0, r.int(3, 12)).join(', ')}.`;
      return `${name()} counted the ${r.pick(words)}s: ${seq.join(' ')}. There were ${len} of them.`;
    },
    // Numbers in prose: quantities, years, distances.
    () => `In the year ${r.int(1000, 1999)} the town of ${cap(r.pick(words))} had ${r.int(2, 99)} wells, ${r.int(10, 999)} houses and ${r.int(1, 9)} gates. The road to the river was ${r.int(2, 60)} miles long.`,
    // The alphabet, or a run of it, and the digits, in order.
    () => {
      const from = r.int(0, 20);
      const to = r.int(from + 3, 25);
      return r.next() < 0.5 ? `The letters from ${LETTERS[from]} to ${LETTERS[to]} are ${LETTERS.slice(from, to + 1).split('').join(' ')}.` : `Digits: 0 1 2 3 4 5 6 7 8 9. Letters: ${LETTERS.split('').join(' ')}.`;
    },
    // A heading in capitals over a paragraph of plain words.
    () => {
      const title = r.picks(words, r.int(1, 3)).join(' ').toUpperCase();
      return `${title}\n${cap(r.picks(words, r.int(6, 14)).join(' '))}. ${cap(r.picks(words, r.int(4, 10)).join(' '))}.`;
    },
  ];
}

function procedural(seed, bytes, words) {
  const r = rng(seed);
  const gens = generators(r, words);
  const docs = [];
  let size = 0;
  while (size < bytes) {
    // A document is a few snippets, so copies and lists sit inside longer contexts.
    const snippet = () => (COPY_SHARE === null ? r.pick(gens) : r.next() < COPY_SHARE ? r.pick(gens.slice(0, COPYING)) : r.pick(gens.slice(COPYING)))();
    const doc = Array.from({ length: r.int(1, 4) }, snippet).join('\n');
    docs.push(doc);
    size += doc.length + 2;
  }
  return docs;
}

// ---- write ------------------------------------------------------------------------------------------------------
const chapters = kjvChapters();
const words = vocabulary(chapters);
const isHeldOut = (c) => HELD_OUT_BOOKS.has(c.book) || (c.book === 'Ge' && c.chapter === 1);
const trainKjv = chapters.filter((c) => !isHeldOut(c)).map((c) => c.text);
const heldKjv = chapters.filter(isHeldOut).map((c) => c.text);
const trainGen = procedural(SEED, PROCEDURAL_BYTES, words);
const heldGen = procedural(SEED + 1000, 20_000, words);

// Interleave so that any prefix of the file has the same mix (the trainer shuffles anyway).
const train = [];
for (let i = 0, j = 0; i < trainKjv.length || j < trainGen.length;) {
  if (i < trainKjv.length && (j >= trainGen.length || i / trainKjv.length <= j / trainGen.length)) train.push(trainKjv[i++]);
  else train.push(trainGen[j++]);
}
mkdirSync(opts.out, { recursive: true });
const corpus = train.join('\n\n') + '\n';
const heldout = [...heldKjv, ...heldGen].join('\n\n') + '\n';
writeFileSync(join(opts.out, 'corpus.txt'), corpus);
writeFileSync(join(opts.out, 'heldout.txt'), heldout);
console.log(JSON.stringify({
  corpus: join(opts.out, 'corpus.txt'), heldout: join(opts.out, 'heldout.txt'), seed: SEED,
  kjv_chapters: trainKjv.length, procedural_documents: trainGen.length, vocabulary_words: words.length,
  corpus_bytes: Buffer.byteLength(corpus), heldout_bytes: Buffer.byteLength(heldout), heldout_kjv_chapters: heldKjv.length, heldout_procedural_documents: heldGen.length,
}));
