// `instruct-studio generate`: text from a saved model for a prompt, or for each record of a file.
import { resolve } from 'node:path';
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { answerStopIds, cutAtStopString, generateIds, TextStreamer } from '../../trainer/generate';
import { samplingDefaults } from '../../trainer/hf/generationConfig';
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
  usage: '--model DIR (--prompt TEXT | --data FILE | --record JSON) [--template T | --raw] [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P] [--repetition-penalty R] [--stop S]… [--seed N] [--json]',
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
    raw: { type: 'boolean', description: 'with --prompt: continue the text as it is, no template' },
    'max-new-tokens': { type: 'number', description: "default: the model's generation_config.json, else 64", valueName: 'N' },
    temperature: { type: 'number', description: "0 = greedy (default, unless the model's generation_config.json samples)", valueName: 'T' },
    'top-k': { type: 'number', description: 'sample among the K most likely tokens (0 = all)', valueName: 'K' },
    'top-p': { type: 'number', description: 'nucleus sampling mass (1 = all)', valueName: 'P' },
    'repetition-penalty': { type: 'number', description: 'divide the logits of tokens already seen (1 = off; transformers semantics)', valueName: 'R' },
    stop: { type: 'string', multiple: true, description: 'stop when the output contains this text (repeatable; the text is cut before it)', valueName: 'S' },
    seed: { type: 'number', description: 'seed for sampling', valueName: 'N' },
    json: { type: 'boolean', description: 'one JSON object per generation' },
  },
  async run(args, io) {
    const f = args.flags;
    if (typeof f.model !== 'string') throw new UsageError('--model DIR is required');
    if ([f.prompt, f.data, f.record].filter((v) => typeof v === 'string').length !== 1) throw new UsageError('give exactly one of --prompt TEXT or --data FILE (or --record JSON)');
    const limit = positiveInt(f.limit, '--limit');
    const stopStrings = ((f.stop as string[] | undefined) ?? []).filter((x) => x !== '');
    if (f.raw && typeof f.prompt !== 'string') throw new UsageError('--raw goes with --prompt TEXT');
    if (f.raw && f.template !== undefined) throw new UsageError('give --raw or --template, not both');
    const checkSampling = (o: { temperature: number; topK: number; topP: number; repetitionPenalty: number }) => {
      if (o.temperature < 0) throw new UsageError('--temperature must be 0 or more');
      if (!Number.isInteger(o.topK) || o.topK < 0) throw new UsageError('--top-k must be a whole number, 0 or more');
      if (!(o.topP > 0 && o.topP <= 1)) throw new UsageError('--top-p must be in (0, 1]');
      if (!(o.repetitionPenalty > 0)) throw new UsageError('--repetition-penalty must be more than 0');
    };
    // Flags are checked before the model loads; the model's generation_config.json fills in what they leave out.
    const given = {
      maxNewTokens: positiveInt(f['max-new-tokens'], '--max-new-tokens'), temperature: f.temperature as number | undefined, topK: f['top-k'] as number | undefined,
      topP: f['top-p'] as number | undefined, repetitionPenalty: f['repetition-penalty'] as number | undefined,
    };
    checkSampling({ temperature: given.temperature ?? 0, topK: given.topK ?? 0, topP: given.topP ?? 1, repetitionPenalty: given.repetitionPenalty ?? 1 });
    let records: Array<Record<string, unknown>>;
    if (typeof f.prompt === 'string') records = [f.raw ? { text: f.prompt } : { instruction: f.prompt, input: typeof f.input === 'string' ? f.input : '', output: '' }];
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
      const defaults = samplingDefaults(model.generationConfig);
      const sampling = {
        maxNewTokens: given.maxNewTokens ?? defaults.maxNewTokens ?? 64,
        temperature: given.temperature ?? defaults.temperature ?? 0,
        topK: given.topK ?? defaults.topK ?? 0,
        topP: given.topP ?? defaults.topP ?? 1,
        repetitionPenalty: given.repetitionPenalty ?? defaults.repetitionPenalty ?? 1,
      };
      const stopIds = answerStopIds(tok, defaults.stopIds);
      // A templated prompt's answer also ends at the template's end markers written as text (see answerText).
      const stops = f.raw ? stopStrings : [...stopStrings, ...(renderer.endMarkers ?? [])];
      const decode = (ids: readonly number[]) => tok.decode(ids, { skipSpecial: true });
      const rng = new Rng((f.seed as number | undefined) ?? 0);
      // One record in plain text streams token by token; several (or --json) print whole generations.
      const streamer = records.length === 1 && !f.json ? new TextStreamer(decode, io.stdout, stops) : null;
      for (let i = 0; i < records.length; i += 16) {
        const chunk = records.slice(i, i + 16);
        let prompts: number[][];
        try {
          prompts = chunk.map((r) => (f.raw ? tok.encode(r.text as string).ids : promptIds({ tokenizer: tok, renderer }, r)));
          if (prompts.some((p) => p.length === 0)) throw new Error('the prompt is empty');
        } catch (e) {
          io.stderr(`instruct-studio generate: record ${i + 1}: ${(e as Error).message}\n`);
          return 1;
        }
        const outputs = await generateIds(model.engine, prompts, { ...sampling, stopIds, stopStrings: stops, decode, onToken: streamer ? (_row, id) => streamer.push(id) : undefined }, model.contextLength, rng);
        if (streamer) {
          streamer.end();
          io.stdout('\n');
          continue;
        }
        chunk.forEach((r, j) => {
          const output = cutAtStopString(decode(outputs[j]), stops).text;
          const expected = f.data ? expectedResponse(r) : null;
          const prompt = f.raw ? (r.text as string) : renderer.renderPrompt(r);
          if (f.json) io.stdout(JSON.stringify({ prompt, output, ...(expected !== null ? { expected } : {}) }) + '\n');
          else if (!f.data) io.stdout(output + '\n');
          else io.stdout(`--- ${i + j + 1}\n${prompt}\n>>> ${output}\n${expected !== null ? `expected: ${expected}\n` : ''}`);
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
