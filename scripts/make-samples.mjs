// Writes media/samples/*.jsonl from seeded generators: `node scripts/make-samples.mjs`.
// The output is committed; rerunning with the same seed reproduces it byte for byte.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './samples/random.mjs';
import { makeMultitask } from './samples/multitask.mjs';

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
