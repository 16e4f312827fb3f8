// `instruct-studio eval`: every metric of a saved model on a dataset (exact match, token F1, ROUGE-L, BLEU, loss,
// perplexity, IFEval checks; per task, seen vs unseen), optionally against the base model and with the forgetting
// probe; saved beside the run as eval/<timestamp>.json and .generations.jsonl. On a preference file (prompt/chosen/
// rejected) it reports DPO's reward accuracy and margin against the base model instead (printed, not saved).
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { ByteTokenizer } from '../../core/tokenizer/byteTokenizer';
import { DataError } from '../../trainer/prepare';
import { CheckpointError } from '../../trainer/checkpoint';
import { ModelDirError } from '../../trainer/modelDir';
import { EvalUsageError, runEvaluation } from '../../trainer/evaluation/evalRun';
import { EvaluationCancelled } from '../../trainer/evaluation/scoreModel';
import { GeneralTextError } from '../../trainer/evaluation/generalText';
import { runFolderOf, saveEvaluation } from '../../trainer/evaluation/saveReport';
import { evalTable } from '../../trainer/evaluation/table';
import { preferenceTable, runPreferenceEvaluation } from '../../trainer/evaluation/preference';
import { loadDatasetFile } from '../../core/dataset';
import { requireFile, templateOverride } from './trainSupport';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'evaluate a model on a dataset: exact match, token F1, ROUGE-L, BLEU, loss, perplexity, IFEval checks, per task; vs a base model; forgetting',
  usage: '--model DIR --data FILE [--unseen FILE] [--general FILE] [--base DIR|tiny] [--template T] [--out DIR] [--limit N] [--json]',
  flags: {
    model: { type: 'string', description: 'a model folder or a run folder (its best/ weights)', valueName: 'DIR' },
    data: { type: 'string', description: 'records with reference responses (JSONL); or preference pairs: reward accuracy vs the base', valueName: 'FILE' },
    beta: { type: 'number', description: 'preference data: the DPO beta of the rewards (default: the run\'s, else 0.1)', valueName: 'X' },
    template: { type: 'string', description: 'render with this template instead of the one the model was trained with', valueName: 'T' },
    unseen: { type: 'string', description: 'a second eval file from tasks or instructions never seen in training', valueName: 'FILE' },
    general: { type: 'string', description: 'general text: perplexity before (base) and after (tuned) = forgetting', valueName: 'FILE' },
    base: { type: 'string', description: 'the model before tuning, scored on the same records: tiny or a model folder', valueName: 'DIR|tiny' },
    out: { type: 'string', description: 'save the evaluation into DIR/eval/ (default: the run folder of --model)', valueName: 'DIR' },
    'no-save': { type: 'boolean', description: 'do not save the evaluation' },
    limit: { type: 'number', description: 'evaluate the first N records of each file (default all)', valueName: 'N' },
    'max-new-tokens': { type: 'number', description: 'generation budget per record (default 64)', valueName: 'N' },
    'skip-invalid': { type: 'boolean', description: 'evaluate the valid records of a dataset with errors' },
    progress: { type: 'boolean', description: 'report progress on stderr as "progress DONE/TOTAL PHASE" lines' },
    json: { type: 'boolean', description: 'print one JSON object' },
  },
  async run(args, io) {
    const f = args.flags;
    if (typeof f.model !== 'string') throw new UsageError('--model DIR is required');
    if (typeof f.data !== 'string') throw new UsageError('--data FILE is required');
    const limit = positiveInt(f.limit, '--limit');
    const maxNewTokens = positiveInt(f['max-new-tokens'], '--max-new-tokens') ?? 64;
    const data = requireFile(io, f.data, '--data');
    const unseen = typeof f.unseen === 'string' ? requireFile(io, f.unseen, '--unseen') : undefined;
    const general = typeof f.general === 'string' ? requireFile(io, f.general, '--general') : undefined;
    const base = typeof f.base === 'string' ? (f.base === 'tiny' ? 'tiny' : resolve(io.cwd, f.base)) : undefined;
    if (base && base !== 'tiny' && !existsSync(base)) throw new UsageError(`--base ${f.base}: no such folder (use "tiny" for the built-in model)`);
    const model = resolve(io.cwd, f.model);
    // undefined: the checkpoint's saved template. Checkpoints hold the byte-level tokenizer only, hence its tokens.
    const renderer = templateOverride(io, f.template, new ByteTokenizer());
    let cancelled = false;
    const onSignal = () => { cancelled = true; };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      if (await isPreferenceFile(data)) {
        if (unseen || general) throw new UsageError('--unseen and --general apply to instruction data, not to a preference file');
        if (f.beta !== undefined && !(typeof f.beta === 'number' && f.beta > 0)) throw new UsageError(`--beta must be a positive number, got ${f.beta}`);
        const report = await runPreferenceEvaluation(
          { model, data, base, beta: f.beta as number | undefined, limit, skipInvalid: f['skip-invalid'] === true },
          { renderer, shouldStop: () => cancelled, log: f.json ? undefined : (m) => io.stderr(`${m}\n`) },
        );
        io.stdout(f.json ? JSON.stringify(report) + '\n' : preferenceTable(report));
        return 0;
      }
      const { report, generations } = await runEvaluation(
        { model, data, unseen, general, base, maxNewTokens, limit, skipInvalid: f['skip-invalid'] === true },
        {
          renderer,
          shouldStop: () => cancelled,
          onProgress: f.progress ? (phase, done, total) => io.stderr(`progress ${done}/${total} ${phase}\n`) : undefined,
          log: f.json ? undefined : (m) => io.stderr(`${m}\n`),
        },
      );
      const target = f['no-save'] ? null : typeof f.out === 'string' ? resolve(io.cwd, f.out) : runFolderOf(model);
      const saved = target ? saveEvaluation(target, report, generations) : null;
      if (f.json) io.stdout(JSON.stringify(saved ? { ...report, saved } : report) + '\n');
      else {
        io.stdout(evalTable(report));
        if (saved) io.stdout(`saved ${saved}\n`);
        else if (!f['no-save']) io.stdout('not saved (not a run folder; --out DIR saves into DIR/eval/)\n');
      }
      return 0;
    } catch (e) {
      if (e instanceof ModelDirError || e instanceof CheckpointError || e instanceof EvalUsageError) { io.stderr(`instruct-studio eval: ${e.message}\n`); return 2; }
      if (e instanceof DataError || e instanceof GeneralTextError) { io.stderr(`instruct-studio eval: ${e.message}\n`); return 1; }
      if (e instanceof EvaluationCancelled) { io.stderr('instruct-studio eval: cancelled, nothing saved\n'); return 130; }
      throw e;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};

/** A file whose first record in a known format is a preference pair (or ranking). */
async function isPreferenceFile(file: string): Promise<boolean> {
  const { records } = await loadDatasetFile(file, { nearDuplicates: false });
  return records.find((r) => r.format !== undefined)?.format === 'preference';
}

export function positiveInt(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new UsageError(`${flag} needs a whole number above 0, got ${v}`);
  return v;
}
