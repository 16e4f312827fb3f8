// `instruct-studio eval`: loss and exact match of a saved model on a dataset, per task.
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { defaultRenderer } from '../../core/template';
import { evaluate } from '../../trainer/evaluate';
import { loadModel } from '../../trainer/loadModel';
import { loadRecords, DataError } from '../../trainer/prepare';
import { CheckpointError } from '../../trainer/checkpoint';
import { ModelDirError } from '../../trainer/modelDir';
import { pct } from '../../trainer/report';
import { requireFile } from './trainSupport';
import { resolve } from 'node:path';

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'evaluate a model on a dataset: loss per token and exact match of greedy generations, per task',
  usage: '--model DIR --data FILE [--limit N] [--json]',
  flags: {
    model: { type: 'string', description: 'a model folder or a run folder (its best/ weights)', valueName: 'DIR' },
    data: { type: 'string', description: 'records with reference responses (JSONL)', valueName: 'FILE' },
    limit: { type: 'number', description: 'generate for at most N records (default all)', valueName: 'N' },
    'max-new-tokens': { type: 'number', description: 'generation budget per record (default 64)', valueName: 'N' },
    'skip-invalid': { type: 'boolean', description: 'evaluate the valid records of a dataset with errors' },
    json: { type: 'boolean', description: 'print one JSON object' },
  },
  async run(args, io) {
    const f = args.flags;
    if (typeof f.model !== 'string') throw new UsageError('--model DIR is required');
    if (typeof f.data !== 'string') throw new UsageError('--data FILE is required');
    const limit = positiveInt(f.limit, '--limit');
    const maxNewTokens = positiveInt(f['max-new-tokens'], '--max-new-tokens') ?? 64;
    const data = requireFile(io, f.data, '--data');
    let model;
    try {
      model = await loadModel(resolve(io.cwd, f.model));
    } catch (e) {
      if (e instanceof ModelDirError || e instanceof CheckpointError) { io.stderr(`instruct-studio eval: ${e.message}\n`); return 2; }
      throw e;
    }
    try {
      const renderer = defaultRenderer();
      let items;
      try {
        items = (await loadRecords(data, model.tokenizer, renderer, { skipInvalid: f['skip-invalid'] === true, includeRejected: true, maxTokens: model.contextLength + 1 })).items;
      } catch (e) {
        if (e instanceof DataError) { io.stderr(`instruct-studio eval: ${e.message}\n`); return 1; }
        throw e;
      }
      const r = await evaluate({ engine: model.engine, tokenizer: model.tokenizer, renderer }, items, {
        seqLen: model.contextLength, batchSize: 16, packing: true, exactMatchSamples: limit ?? items.length, maxNewTokens, keepSamples: 0,
      });
      const { samples: _samples, ...summary } = r;
      if (f.json) io.stdout(JSON.stringify(summary) + '\n');
      else {
        io.stdout(`${items.length} records, model ${model.dir}\nloss ${r.loss.toFixed(4)}  exact match ${r.exact_match === null ? 'n/a' : pct(r.exact_match)}\n`);
        for (const [task, s] of Object.entries(r.per_task)) io.stdout(`  ${task.padEnd(20)} n ${String(s.n).padStart(5)}  exact match ${pct(s.exact_match).padStart(6)}  loss ${s.loss.toFixed(4)}\n`);
        if (r.seen && r.unseen) io.stdout(`  seen instructions ${pct(r.seen.exact_match)}, unseen (paraphrased) ${pct(r.unseen.exact_match)}\n`);
      }
      return 0;
    } finally {
      await model.engine.dispose();
    }
  },
};

export function positiveInt(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new UsageError(`${flag} needs a whole number above 0, got ${v}`);
  return v;
}
