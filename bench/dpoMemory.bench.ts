// `npm run bench dpoMemory` (after `npm run build`): DPO under LoRA holds no second copy of the model. The reference
// log-probabilities come once from the base with adapters disabled (src/trainer/dpo/train.ts), so a DPO run's peak
// memory should match an SFT run's on the same sequences. Peak RSS of `train --stage dpo --lora` against the reference
// measured in the same invocation, `train --lora` (SFT) on the same pairs' chosen responses, with the difference
// expressed in copies of the weights: ≈0 means no second copy, ≥1 would mean one.
// A model big enough that one fp32 copy (~100 MB) stands well above run-to-run noise, and few pairs and steps, so the
// reference pass and the loop stay short on 2 cores. Both runs put two rows in a batch: one DPO pair (chosen and
// rejected, padded to the longer) against two SFT rows (--no-packing, padded to the context). The row count matters:
// the engine splits a batch's rows over its data-parallel workers, and each worker's wasm heap grows with the
// activations of its rows and never shrinks; with one SFT row against a pair's two, the second worker sat idle in SFT
// only and DPO measured ~4.9 weights copies higher. SFT rows are never shorter than DPO's, so any bias favours SFT.
// Env: BENCH_PAIRS (training pairs, default 12), BENCH_STEPS (default 3).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const pairs = Number(process.env.BENCH_PAIRS ?? 12);
const steps = Number(process.env.BENCH_STEPS ?? 3);
const MODEL = ['--model', 'scratch', '--d-model', '512', '--layers', '8', '--heads', '8', '--context', '128'];
const COMMON = [...MODEL, '--lora', '--steps', `${steps}`, '--eval-every', '0', '--seed', '7', '--json'];
const TIME = '/usr/bin/time';

interface Run { peakMiB: number; parameters: number; seconds: number; device: string }

type Message = string | Array<{ role: string; content: string }>;
interface PreferenceRecord { prompt: Message; chosen: string; rejected: string }

/** The chosen side of a preference record as the chat an SFT file holds (string prompts become the user turn). */
function chosenChat(r: PreferenceRecord): { messages: Array<{ role: string; content: string }> } {
  const prompt = typeof r.prompt === 'string' ? [{ role: 'user', content: r.prompt }] : r.prompt;
  return { messages: [...prompt, { role: 'assistant', content: r.chosen }] };
}

/** Runs `node dist/cli.js train …` under GNU time: its maximum RSS is the largest of the CLI and the trainer child. */
function train(args: string[], dir: string, name: string): Run {
  const out = join(dir, name);
  const timeFile = join(dir, `${name}.time`);
  const t0 = performance.now();
  const r = spawnSync(TIME, ['-f', '%M', '-o', timeFile, process.execPath, 'dist/cli.js', 'train', ...args, '--out', out], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`train ${name} failed (exit ${r.status}): ${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { parameters: number; backend: { name: string; device: string } };
  const kib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { peakMiB: kib / 1024, parameters: run.parameters, seconds: (performance.now() - t0) / 1000, device: `${run.backend.name}: ${run.backend.device}` };
}

function main(): void {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run `npm run build` first');
  if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is missing: apt-get install time`);
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores)`);
  const records = readFileSync('media/samples/preference.jsonl', 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as PreferenceRecord);
  const trainRecs = records.slice(0, pairs);
  const evalRecs = records.slice(pairs, pairs + 4);
  const dir = mkdtempSync(join(tmpdir(), 'dpo-memory-'));
  try {
    const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    writeFileSync(join(dir, 'pairs.jsonl'), jsonl(trainRecs));
    writeFileSync(join(dir, 'pairs-eval.jsonl'), jsonl(evalRecs));
    writeFileSync(join(dir, 'chosen.jsonl'), jsonl(trainRecs.map(chosenChat)));
    writeFileSync(join(dir, 'chosen-eval.jsonl'), jsonl(evalRecs.map(chosenChat)));

    const sft = train(['--data', join(dir, 'chosen.jsonl'), '--eval', join(dir, 'chosen-eval.jsonl'), '--exact-match-samples', '0', '--batch', '2', '--no-packing', ...COMMON], dir, 'sft');
    const dpo = train(['--stage', 'dpo', '--data', join(dir, 'pairs.jsonl'), '--eval', join(dir, 'pairs-eval.jsonl'), '--batch', '1', ...COMMON], dir, 'dpo');

    const copyMiB = (dpo.parameters * 4) / 2 ** 20;
    const diff = dpo.peakMiB - sft.peakMiB;
    console.log(`\nscratch GPT d_model 512, 8 layers, 8 heads, context 128, LoRA (default targets), ${steps} steps of 1 pair (DPO) / 2 rows (SFT), ${trainRecs.length} training and ${evalRecs.length} eval records`);
    console.log(`  parameters            ${dpo.parameters.toLocaleString('en')} (SFT run: ${sft.parameters.toLocaleString('en')})`);
    console.log(`  backend               ${dpo.device}${sft.device !== dpo.device ? ` (SFT run: ${sft.device})` : ''}`);
    console.log(`  one weights copy      ${copyMiB.toFixed(1)} MiB (fp32)`);
    console.log(`  SFT --lora  peak RSS  ${sft.peakMiB.toFixed(1)} MiB   (${sft.seconds.toFixed(0)} s; the reference)`);
    console.log(`  DPO --lora  peak RSS  ${dpo.peakMiB.toFixed(1)} MiB   (${dpo.seconds.toFixed(0)} s; reference log-probabilities from the base with adapters off)`);
    console.log(`  DPO − SFT             ${diff >= 0 ? '+' : ''}${diff.toFixed(1)} MiB = ${(diff / copyMiB).toFixed(2)} weights copies (≈0: no second copy; ≥1: a copy)`);
    console.log(`  DPO / SFT peak        ${(dpo.peakMiB / sft.peakMiB).toFixed(3)}×`);
    console.log(`\nload average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
