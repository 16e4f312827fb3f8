// `instruct-studio demo` (npm run demo): the main job end to end. Instruction-tunes the built-in pre-trained tiny model
// on the bundled multi-task sample for a few minutes and shows held-out exact match and loss per task (and seen vs
// paraphrased instructions) before and after, with generations side by side; then the same fine-tuning, step for step,
// from random weights, so the value of pre-training shows. Figures are whatever the runs measured.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../args';
import type { CliCommand, CliIO } from '../command';
import { readRunInfo } from '../../trainer/runFolder';
import { beforeAfterTable, formatDuration, pct } from '../../trainer/report';
import type { EvalRow, MetricsRow, TrainRequest } from '../../shared/protocol/trainer';
import { BUILTIN_PRETRAINED, BUILTIN_SCRATCH, isBuiltinModel } from '../../trainer/builtinModel';
import { exitCodeOf, requireFile, runLive } from './trainSupport';

/**
 * The demo's fine-tuning settings, for the pre-trained base (media/models/base): its architecture comes from the
 * model folder; small batches for many steps, a schedule sized to the time budget, and evaluation only before and
 * after so the minutes go to training. The from-scratch comparison uses the same settings and the same data order.
 */
export const DEMO_OVERRIDES: TrainRequest['overrides'] = {
  batchSize: 8, lr: 2e-3, minLr: 2e-4, warmupSteps: 20, epochs: 0,
  evalEvery: 0, exactMatchSamples: 300, maxNewTokens: 32, logEvery: 10, checkpointEvery: 200, seed: 1337,
};

/** Minutes of fine-tuning the pre-trained base; the from-scratch comparison then trains as many steps. */
const DEFAULT_MINUTES = 5;

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

/** runs/demo, or runs/demo-2, -3 … when taken (with its -scratch sibling): a demo never overwrites an earlier one. */
function freshOut(base: string): string {
  const free = (p: string) => !existsSync(p) && !existsSync(`${p}-scratch`);
  if (free(base)) return base;
  for (let i = 2; ; i++) if (free(`${base}-${i}`)) return `${base}-${i}`;
}

interface DemoRun {
  out: string;
  steps: number;
  reason: string;
  before: EvalRow;
  after: EvalRow;
  samples: ReturnType<typeof pairSamples>;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'instruction-tune the built-in pre-trained model on the bundled multi-task sample; exact match before/after, and against the same model from random weights',
  usage: '[--max-minutes M] [--no-scratch] [--model tiny|scratch|DIR] [--out DIR] [--data FILE --eval FILE] [--seed N] [--json]',
  flags: {
    'max-minutes': { type: 'number', description: `fine-tuning time budget (default ${DEFAULT_MINUTES}); the from-scratch run then trains the same number of steps`, valueName: 'M' },
    'no-scratch': { type: 'boolean', description: 'skip the comparison with the same architecture from random weights' },
    model: { type: 'string', description: 'the model to fine-tune (default tiny, the built-in pre-trained base)', valueName: 'tiny|scratch|DIR' },
    out: { type: 'string', description: 'run folder (default runs/demo, or runs/demo-N when taken; the comparison goes to DIR-scratch)', valueName: 'DIR' },
    data: { type: 'string', description: `training data (default ${SAMPLE_TRAIN})`, valueName: 'FILE' },
    eval: { type: 'string', description: `held-out data (default ${SAMPLE_EVAL})`, valueName: 'FILE' },
    seed: { type: 'number', description: 'seed (default 1337)', valueName: 'N' },
    samples: { type: 'number', description: 'generations shown side by side (default 6)', valueName: 'N' },
    json: { type: 'boolean', description: 'print one JSON summary at the end (progress as JSON lines)' },
  },
  async run(args, io) {
    const f = args.flags;
    const minutes = (f['max-minutes'] as number | undefined) ?? DEFAULT_MINUTES;
    if (!(minutes > 0)) throw new UsageError('--max-minutes must be above 0');
    const model = typeof f.model !== 'string' ? BUILTIN_PRETRAINED : isBuiltinModel(f.model) ? f.model : resolve(io.cwd, f.model);
    if (!isBuiltinModel(model) && !existsSync(model)) throw new UsageError(`--model ${f.model}: no such folder`);
    const compare = f['no-scratch'] !== true && model !== BUILTIN_SCRATCH;
    const data = typeof f.data === 'string' ? requireFile(io, f.data, '--data') : findSample(io, SAMPLE_TRAIN);
    const evalFile = typeof f.eval === 'string' ? requireFile(io, f.eval, '--eval') : findSample(io, SAMPLE_EVAL);
    if (!data || !evalFile) { io.stderr(`instruct-studio demo: cannot find ${!data ? SAMPLE_TRAIN : SAMPLE_EVAL} (run it from the project folder, or pass --data and --eval)\n`); return 2; }
    let out: string;
    if (typeof f.out === 'string') {
      out = resolve(io.cwd, f.out);
      for (const dir of compare ? [out, `${out}-scratch`] : [out]) {
        if (readRunInfo(dir)) { io.stderr(`instruct-studio demo: ${relative(io.cwd, dir) || dir} already holds a run; nothing was overwritten. Choose another --out.\n`); return 2; }
      }
    } else out = freshOut(resolve(io.cwd, 'runs/demo'));
    const json = f.json === true;
    const shown = (f.samples as number | undefined) ?? 6;
    const say = (s: string) => { if (!json) io.stdout(s + '\n'); };
    const overrides = { ...DEMO_OVERRIDES, ...(typeof f.seed === 'number' ? { seed: f.seed } : {}) };
    const started = Date.now();

    const modelName = model === BUILTIN_PRETRAINED ? 'the built-in pre-trained tiny GPT (media/models/base)' : model === BUILTIN_SCRATCH ? 'the built-in tiny GPT from random weights' : relative(io.cwd, model) || model;
    say(`Instruct Studio demo: instruction-tuning ${modelName} on ${relative(io.cwd, data) || data}`);
    say(`for ${minutes} minute${minutes === 1 ? '' : 's'}; held-out set ${relative(io.cwd, evalFile) || evalFile}; run folder ${relative(io.cwd, out) || out}\n`);
    const main = await demoRun(io, json, { data, eval: evalFile, out, model, resume: false, skipInvalid: false, includeRejected: false, overrides: { ...overrides, maxMinutes: minutes } });
    if (typeof main === 'number') return main;
    let scratch: DemoRun | null = null;
    if (compare) {
      say(`\nThe same fine-tuning from random weights (--model scratch), ${main.steps} steps with the same settings and data order, for comparison:\n`);
      const r = await demoRun(io, json, { data, eval: evalFile, out: `${out}-scratch`, model: BUILTIN_SCRATCH, resume: false, skipInvalid: false, includeRejected: false, overrides: { ...overrides, steps: main.steps } });
      if (typeof r === 'number') return r;
      scratch = r;
    }
    if (json) {
      const summary = (r: DemoRun) => ({ out: r.out, steps: r.steps, before: r.before, after: r.after, samples: r.samples.slice(0, shown) });
      io.stdout(JSON.stringify({ type: 'summary', ...summary(main), ...(scratch ? { scratch: summary(scratch), curves: lossCurves(main.out, scratch.out) } : {}) }) + '\n');
      return 0;
    }
    say(`\nFine-tuned ${main.steps} steps (${main.reason}); ${formatDuration((Date.now() - started) / 1000)} in all, with the evaluations before and after${scratch ? ' and the comparison' : ''}.\n`);
    say(beforeAfterTable(main.before, main.after));
    const heldOut = Object.values(main.after.per_task ?? {}).reduce((n, t) => n + t.n, 0);
    const judged = Math.min(heldOut, DEMO_OVERRIDES.exactMatchSamples as number);
    say(judged === heldOut ? `\nLoss and exact match are over all ${heldOut} held-out records, before and after`
      : `\nLoss is over all ${heldOut} held-out records; exact match over the same ${judged} of them before and after`);
    say('(every task, seen and unseen instructions; greedy decoding, the answer ends at <|end|> or EOS, trimmed).');
    say('Unseen instructions are paraphrases never seen in training.\n');
    say('Generations, before → after fine-tuning:');
    for (const s of main.samples.slice(0, shown)) {
      say(`  [${s.task}${s.unseen ? ', unseen instruction' : ''}] ${oneLine(s.prompt)}`);
      say(`      before:   ${JSON.stringify(s.before)}`);
      say(`      after:    ${JSON.stringify(s.after)}${s.after.trim() === s.expected.trim() ? '  ✓' : ''}`);
      say(`      expected: ${JSON.stringify(s.expected)}`);
    }
    if (scratch) {
      say(`\nPre-trained vs from random weights, the same ${main.steps} fine-tuning steps:\n`);
      say(comparisonTable(main, scratch));
      say('\nTraining loss per response token along the way (the same steps, batches and learning rates):\n');
      say(curveTable(lossCurves(main.out, scratch.out)));
    }
    const runs = scratch ? `${relative(io.cwd, join(out, 'metrics.jsonl'))} and ${relative(io.cwd, join(scratch.out, 'metrics.jsonl'))}` : relative(io.cwd, join(out, 'metrics.jsonl'));
    say(`\nCurves: ${runs}; model: ${relative(io.cwd, join(out, 'best'))} (try: instruct-studio generate --model ${relative(io.cwd, out)} --prompt "Reverse the word." --input "lantern")`);
    return 0;
  },
};

/** One fine-tuning run with live output; its before/after evaluations, or an exit code when it did not get there. */
async function demoRun(io: CliIO, json: boolean, request: TrainRequest): Promise<DemoRun | number> {
  const { result, evals } = await runLive(request, io, json);
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
  return { out: request.out, steps: result.step, reason: result.reason, before: before.row, after: after.row, samples: pairSamples(before.samples, after.samples) };
}

function comparisonTable(pre: DemoRun, scratch: DemoRun): string {
  const w = 27;
  const line = (name: string, a: string, b: string) => `${name.padEnd(w)}  ${a.padStart(12)}  ${b.padStart(17)}`;
  const rows = [line('after fine-tuning', 'pre-trained', 'from random init')];
  const score = (r: EvalRow, key: 'seen' | 'unseen') => r[key];
  rows.push(line('exact match, all', pct(pre.after.exact_match ?? 0), pct(scratch.after.exact_match ?? 0)));
  for (const key of ['seen', 'unseen'] as const) {
    const a = score(pre.after, key);
    const b = score(scratch.after, key);
    if (a && b) rows.push(line(`exact match, ${key}`, pct(a.exact_match), pct(b.exact_match)));
  }
  for (const task of Object.keys(pre.after.per_task ?? {}).sort()) {
    const a = pre.after.per_task?.[task];
    const b = scratch.after.per_task?.[task];
    if (a && b) rows.push(line(`exact match, ${task}`, pct(a.exact_match), pct(b.exact_match)));
  }
  rows.push(line('held-out loss, before', pre.before.loss.toFixed(3), scratch.before.loss.toFixed(3)));
  rows.push(line('held-out loss, after', pre.after.loss.toFixed(3), scratch.after.loss.toFixed(3)));
  return rows.join('\n');
}

/** Train-loss rows of both runs at the steps both logged, thinned to about ten points. */
export function lossCurves(preOut: string, scratchOut: string): Array<{ step: number; pretrained: number; scratch: number }> {
  const losses = (out: string) => new Map(readMetrics(out).filter((r) => !('split' in r)).map((r) => [r.step, (r as MetricsRow).loss]));
  const a = losses(preOut);
  const b = losses(scratchOut);
  const steps = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  const every = Math.max(1, Math.ceil(steps.length / 10));
  const picked = steps.filter((_, i) => i % every === 0 || i === steps.length - 1);
  return picked.map((step) => ({ step, pretrained: a.get(step)!, scratch: b.get(step)! }));
}

function readMetrics(out: string): Array<MetricsRow | EvalRow> {
  const file = join(out, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as MetricsRow | EvalRow);
}

function curveTable(points: ReturnType<typeof lossCurves>): string {
  const bar = (x: number, max: number) => '█'.repeat(Math.max(0, Math.round((x / max) * 24)));
  const max = Math.max(...points.flatMap((p) => [p.pretrained, p.scratch]));
  return [`${'step'.padStart(6)}  ${'pre-trained'.padEnd(33)}  from random init`,
    ...points.map((p) => `${String(p.step).padStart(6)}  ${p.pretrained.toFixed(3).padStart(6)} ${bar(p.pretrained, max).padEnd(26)}  ${p.scratch.toFixed(3).padStart(6)} ${bar(p.scratch, max)}`)].join('\n');
}

function pairSamples(before: Array<{ task: string; prompt: string; expected: string; output: string; unseen: boolean }>, after: typeof before) {
  return after.map((a, i) => ({ task: a.task, unseen: a.unseen, prompt: a.prompt, expected: a.expected, before: before[i]?.prompt === a.prompt ? before[i].output : '', after: a.output }));
}

/** The instruction and input of a rendered prompt, without template markup, on one line. */
function oneLine(prompt: string): string {
  return prompt.replace(/<\|[a-z]+\|>/g, '').replace(/###\s*(Instruction|Input|Response):\s*/g, ' ').replace(/\s+/g, ' ').trim();
}
