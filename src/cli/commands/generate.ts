// `instruct-studio generate`: text from a saved model for a prompt, or for each record of a file.
import { resolve } from 'node:path';
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { generateIds } from '../../trainer/generate';
import { loadModel } from '../../trainer/loadModel';
import { expectedResponse } from '../../trainer/prepare';
import { promptIds } from '../../trainer/evaluate';
import { Rng } from '../../trainer/rng';
import { CheckpointError } from '../../trainer/checkpoint';
import { ModelDirError } from '../../trainer/modelDir';
import { loadDatasetFile } from '../../core/dataset';
import { positiveInt } from './eval';
import { requireFile, templateOverride } from './trainSupport';
import { rendererOf } from '../../trainer/template';

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'generate responses with a model for a prompt or for the records of a file',
  usage: '--model DIR (--prompt TEXT | --data FILE | --record JSON) [--template T] [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P] [--json]',
  flags: {
    model: { type: 'string', description: 'a model folder or a run folder', valueName: 'DIR' },
    prompt: { type: 'string', description: "an instruction (rendered with the model's template)", valueName: 'TEXT' },
    input: { type: 'string', description: 'the input that goes with --prompt', valueName: 'TEXT' },
    data: { type: 'string', description: 'generate for each record of this file', valueName: 'FILE' },
    // Any record format (alpaca, chat, prompt/completion) rendered exactly as training renders it: the pair annotator
    // passes the record itself, since --prompt only builds an alpaca record.
    record: { type: 'string', description: 'generate for this one record (JSON)', valueName: 'JSON' },
    template: { type: 'string', description: "render with this template instead of the one the model was trained with", valueName: 'T' },
    limit: { type: 'number', description: 'at most N records of --data', valueName: 'N' },
    'max-new-tokens': { type: 'number', description: 'default 64', valueName: 'N' },
    temperature: { type: 'number', description: '0 = greedy (default)', valueName: 'T' },
    'top-k': { type: 'number', description: 'sample among the K most likely tokens (0 = all)', valueName: 'K' },
    'top-p': { type: 'number', description: 'nucleus sampling mass (1 = all)', valueName: 'P' },
    seed: { type: 'number', description: 'seed for sampling', valueName: 'N' },
    json: { type: 'boolean', description: 'one JSON object per generation' },
  },
  async run(args, io) {
    const f = args.flags;
    if (typeof f.model !== 'string') throw new UsageError('--model DIR is required');
    if ([f.prompt, f.data, f.record].filter((v) => typeof v === 'string').length !== 1) throw new UsageError('give exactly one of --prompt TEXT or --data FILE (or --record JSON)');
    const maxNewTokens = positiveInt(f['max-new-tokens'], '--max-new-tokens') ?? 64;
    const limit = positiveInt(f.limit, '--limit');
    const temperature = (f.temperature as number | undefined) ?? 0;
    const topK = (f['top-k'] as number | undefined) ?? 0;
    const topP = (f['top-p'] as number | undefined) ?? 1;
    if (temperature < 0) throw new UsageError('--temperature must be 0 or more');
    if (!Number.isInteger(topK) || topK < 0) throw new UsageError('--top-k must be a whole number, 0 or more');
    if (!(topP > 0 && topP <= 1)) throw new UsageError('--top-p must be in (0, 1]');
    let records: Array<Record<string, unknown>>;
    if (typeof f.prompt === 'string') records = [{ instruction: f.prompt, input: typeof f.input === 'string' ? f.input : '', output: '' }];
    else if (typeof f.record === 'string') records = [parseRecordFlag(f.record)];
    else {
      const file = requireFile(io, f.data as string, '--data');
      records = (await loadDatasetFile(file, { nearDuplicates: false })).records.map((r) => r.value).slice(0, limit ?? Infinity);
    }
    let model;
    try {
      model = await loadModel(resolve(io.cwd, f.model));
    } catch (e) {
      if (e instanceof ModelDirError || e instanceof CheckpointError) { io.stderr(`instruct-studio generate: ${e.message}\n`); return 2; }
      throw e;
    }
    try {
      // As training rendered: the checkpoint's saved template (the default when it has none), unless --template.
      const renderer = templateOverride(io, f.template, model.tokenizer) ?? rendererOf(model.template);
      const tok = model.tokenizer;
      const stopIds = [tok.eosId, ...(tok.specialTokens.has('<|end|>') ? [tok.specialTokens.get('<|end|>')!] : [])];
      const rng = new Rng((f.seed as number | undefined) ?? 0);
      for (let i = 0; i < records.length; i += 16) {
        const chunk = records.slice(i, i + 16);
        let prompts: number[][];
        try {
          prompts = chunk.map((r) => promptIds({ tokenizer: tok, renderer }, r));
        } catch (e) {
          io.stderr(`instruct-studio generate: record ${i + 1}: ${(e as Error).message}\n`);
          return 1;
        }
        const outputs = await generateIds(model.engine, prompts, { maxNewTokens, temperature, topK, topP, stopIds }, model.contextLength, rng);
        chunk.forEach((r, j) => {
          const output = tok.decode(outputs[j], { skipSpecial: true });
          const expected = f.data ? expectedResponse(r) : null;
          if (f.json) io.stdout(JSON.stringify({ prompt: renderer.renderPrompt(r), output, ...(expected !== null ? { expected } : {}) }) + '\n');
          else if (!f.data) io.stdout(output + '\n');
          else io.stdout(`--- ${i + j + 1}\n${renderer.renderPrompt(r)}\n>>> ${output}\n${expected !== null ? `expected: ${expected}\n` : ''}`);
        });
      }
      return 0;
    } finally {
      await model.engine.dispose();
    }
  },
};

function parseRecordFlag(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--record: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError('--record: must be a JSON object (one dataset record)');
  return v as Record<string, unknown>;
}
