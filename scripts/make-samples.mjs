// Writes media/samples/*.jsonl from seeded generators: `node scripts/make-samples.mjs`.
// The output is committed; rerunning with the same seed reproduces it byte for byte.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './samples/random.mjs';
import { makeMultitask } from './samples/multitask.mjs';
import { makeAlpaca, makeChat, makeCompletion, makePreference, problemLines } from './samples/formats.mjs';

const SEED = 20240611;
const outDir = process.argv[2] ?? 'media/samples';
mkdirSync(outDir, { recursive: true });

const write = (name, records) => {
  writeFileSync(join(outDir, name), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`${join(outDir, name)}: ${records.length} records`);
};

const multitask = makeMultitask(rng(SEED));
write('multitask-train.jsonl', multitask.train);
write('multitask-eval.jsonl', multitask.eval);

write('alpaca.jsonl', makeAlpaca(rng(SEED + 1)));
write('chat.jsonl', makeChat(rng(SEED + 2)));
write('completion.jsonl', makeCompletion(rng(SEED + 3)));
write('preference.jsonl', makePreference(rng(SEED + 4)));
// written line by line: it holds deliberately broken JSON
const problems = problemLines();
writeFileSync(join(outDir, 'problems.jsonl'), problems.join('\n') + '\n');
console.log(`${join(outDir, 'problems.jsonl')}: ${problems.length} lines`);
