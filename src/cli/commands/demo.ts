// `instruct-studio demo` (npm run demo): the main job end to end. Fine-tunes the built-in tiny model from random
// weights on the bundled multi-task sample for a few minutes, then shows held-out exact match and loss per task
// (and seen vs paraphrased instructions) before and after, with generations side by side. Figures are whatever the
// run measured.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../args';
import type { CliCommand, CliIO } from '../command';
import { readRunInfo } from '../../trainer/runFolder';
import { beforeAfterTable, formatDuration } from '../../trainer/report';
import type { TrainRequest } from '../../shared/protocol/trainer';
import { exitCodeOf, requireFile, runLive } from './trainSupport';

/**
 * The demo's settings. From random weights, steps per minute decide how far a few minutes get (see the notes on
 * training on this machine): the reference model (d_model 128, 2 layers, context 128) with small batches for many
 * steps, a schedule sized to the time budget, and evaluation only before and after so the minutes go to training.
 */
export const DEMO_OVERRIDES: TrainRequest['overrides'] = {
  dModel: 128, nLayers: 2, nHeads: 4, contextLength: 128,
  batchSize: 8, lr: 3e-3, minLr: 3e-4, warmupSteps: 20, epochs: 0,
  evalEvery: 0, exactMatchSamples: 50, maxNewTokens: 32, logEvery: 5, checkpointEvery: 100, seed: 1337,
};

const SAMPLE_TRAIN = 'media/samples/multitask-train.jsonl';
const SAMPLE_EVAL = 'media/samples/multitask-eval.jsonl';

/** The bundled samples: beside the working folder (a checkout) or beside the installed package. */
function findSample(io: CliIO, rel: string): string | null {
  for (const base of [io.cwd, resolve(__dirname, '..'), resolve(__dirname, '../../..')]) {
    const p = join(base, rel);
    if (existsSync(p)) return p;
  }
  return null;
}

/** runs/demo, or runs/demo-2, -3 … when taken: a demo never overwrites an earlier one. */
function freshOut(base: string): string {
  if (!existsSync(base)) return base;
  for (let i = 2; ; i++) if (!existsSync(`${base}-${i}`)) return `${base}-${i}`;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'fine-tune the built-in tiny model on the bundled multi-task sample and show exact match before/after',
  usage: '[--max-minutes M] [--out DIR] [--data FILE --eval FILE] [--seed N] [--json]',
  flags: {
    'max-minutes': { type: 'number', description: 'training time budget (default 4)', valueName: 'M' },
    out: { type: 'string', description: 'run folder (default runs/demo, or runs/demo-N when taken)', valueName: 'DIR' },
    data: { type: 'string', description: `training data (default ${SAMPLE_TRAIN})`, valueName: 'FILE' },
    eval: { type: 'string', description: `held-out data (default ${SAMPLE_EVAL})`, valueName: 'FILE' },
    seed: { type: 'number', description: 'seed (default 1337)', valueName: 'N' },
    samples: { type: 'number', description: 'generations shown side by side (default 6)', valueName: 'N' },
    json: { type: 'boolean', description: 'print one JSON summary at the end (progress as JSON lines)' },
  },
  async run(args, io) {
    const f = args.flags;
    const minutes = (f['max-minutes'] as number | undefined) ?? 4;
    if (!(minutes > 0)) throw new UsageError('--max-minutes must be above 0');
    const data = typeof f.data === 'string' ? requireFile(io, f.data, '--data') : findSample(io, SAMPLE_TRAIN);
    const evalFile = typeof f.eval === 'string' ? requireFile(io, f.eval, '--eval') : findSample(io, SAMPLE_EVAL);
    if (!data || !evalFile) { io.stderr(`instruct-studio demo: cannot find ${!data ? SAMPLE_TRAIN : SAMPLE_EVAL} (run it from the project folder, or pass --data and --eval)\n`); return 2; }
    let out: string;
    if (typeof f.out === 'string') {
      out = resolve(io.cwd, f.out);
      if (readRunInfo(out)) { io.stderr(`instruct-studio demo: ${f.out} already holds a run; nothing was overwritten. Choose another --out.\n`); return 2; }
    } else out = freshOut(resolve(io.cwd, 'runs/demo'));
    const json = f.json === true;
    const shown = (f.samples as number | undefined) ?? 6;
    const say = (s: string) => { if (!json) io.stdout(s + '\n'); };

    say(`Instruct Studio demo: instruction-tuning the built-in tiny GPT (random weights, byte-level) on ${relative(io.cwd, data) || data}`);
    say(`for ${minutes} minute${minutes === 1 ? '' : 's'}; held-out set ${relative(io.cwd, evalFile) || evalFile}; run folder ${relative(io.cwd, out) || out}\n`);
    const started = Date.now();
    const { result, evals } = await runLive({
      data, eval: evalFile, out, model: 'tiny', resume: false, skipInvalid: false, includeRejected: false,
      overrides: { ...DEMO_OVERRIDES, maxMinutes: minutes, ...(typeof f.seed === 'number' ? { seed: f.seed } : {}) },
    }, io, json);
    if (result.status === 'failed') {
      io.stderr(`instruct-studio demo: ${result.reason}\n`);
      return exitCodeOf(result);
    }
    const before = evals.find((e) => e.row.step === 0);
    const after = evals.at(-1);
    if (!before || !after || after === before) {
      io.stderr(`instruct-studio demo: the run ${result.status} before a final evaluation (${result.reason})\n`);
      return result.status === 'stopped' ? 0 : 3;
    }
    if (json) {
      io.stdout(JSON.stringify({ type: 'summary', out, steps: result.step, before: before.row, after: after.row, samples: pairSamples(before.samples, after.samples).slice(0, shown) }) + '\n');
      return 0;
    }
    say(`\nTrained ${result.step} steps (${result.reason}); ${formatDuration((Date.now() - started) / 1000)} in all, with the evaluations before and after.\n`);
    say(beforeAfterTable(before.row, after.row));
    const heldOut = Object.values(after.row.per_task ?? {}).reduce((n, t) => n + t.n, 0);
    say(`\nLoss is over all ${heldOut} held-out records; exact match over the same ${Math.min(heldOut, DEMO_OVERRIDES.exactMatchSamples as number)} of them before and after`);
    say('(every task, seen and unseen instructions; greedy decoding, stop at EOS, trimmed text).');
    say('Unseen instructions are paraphrases never seen in training.\n');
    say('Generations, before → after training:');
    for (const s of pairSamples(before.samples, after.samples).slice(0, shown)) {
      say(`  [${s.task}${s.unseen ? ', unseen instruction' : ''}] ${oneLine(s.prompt)}`);
      say(`      before:   ${JSON.stringify(s.before)}`);
      say(`      after:    ${JSON.stringify(s.after)}${s.after.trim() === s.expected.trim() ? '  ✓' : ''}`);
      say(`      expected: ${JSON.stringify(s.expected)}`);
    }
    say(`\nCurves: ${relative(io.cwd, join(out, 'metrics.jsonl'))}; model: ${relative(io.cwd, join(out, 'best'))} (try: instruct-studio generate --model ${relative(io.cwd, out)} --prompt "Reverse the word." --input "lantern")`);
    return 0;
  },
};

function pairSamples(before: Array<{ task: string; prompt: string; expected: string; output: string; unseen: boolean }>, after: typeof before) {
  return after.map((a, i) => ({ task: a.task, unseen: a.unseen, prompt: a.prompt, expected: a.expected, before: before[i]?.prompt === a.prompt ? before[i].output : '', after: a.output }));
}

/** The instruction and input of a rendered prompt, without template markup, on one line. */
function oneLine(prompt: string): string {
  return prompt.replace(/<\|[a-z]+\|>/g, '').replace(/###\s*(Instruction|Input|Response):\s*/g, ' ').replace(/\s+/g, ' ').trim();
}
