// A model folder described from its JSON files and safetensors headers, never its weights: what a hover, a quick
// pick, a memory estimate and the loader need. Every problem names the file and, when one is to blame, the field.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSafetensorsHeader, type TensorHeader } from '../safetensors';
import { getPreset, isPresetName } from '../template/presets/index';
import type { ModelFolderInfo, ModelFolderProblem } from './types';
import { parseModelConfigJson } from './hfConfig';
import { engineTensorName, expectedTensors } from './tensors';

const SHARD_INDEX = 'model.safetensors.index.json';
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

export function describeModelFolder(dir: string): ModelFolderInfo {
  dir = resolve(dir);
  const problems: ModelFolderProblem[] = [];
  const problem = (file: string, message: string, field?: string) => problems.push(field === undefined ? { file, message } : { file, field, message });
  const has = (f: string) => existsSync(join(dir, f));
  const json = (f: string): Record<string, unknown> | null => {
    if (!has(f)) return null;
    try {
      const v = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
      return v;
    } catch (e) {
      problem(f, `not valid JSON (${(e as Error).message})`);
      return null;
    }
  };
  const info: ModelFolderInfo = {
    dir, kind: 'huggingface', architectureName: 'unknown', modelType: '', config: null, parameterCount: null, contextLength: null,
    vocabSize: null, dtype: null, weightFiles: [], weightBytes: 0, tokenizer: null, chatTemplate: null, specialTokens: {},
    generationConfig: null, adapter: null, problems,
  };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    problem('.', `${dir} is not a folder`);
    return info;
  }
  const entries = readdirSync(dir);

  // ---- a PEFT adapter folder: adapter_config.json + adapter_model.safetensors, the base model elsewhere ----------
  const adapterCfg = json('adapter_config.json');
  if (adapterCfg) {
    const r = adapterCfg.r;
    const alpha = adapterCfg.lora_alpha;
    if (adapterCfg.peft_type !== undefined && adapterCfg.peft_type !== 'LORA') problem('adapter_config.json', `peft_type ${JSON.stringify(adapterCfg.peft_type)} is not supported (only "LORA")`, 'peft_type');
    if (!Number.isInteger(r) || (r as number) <= 0) problem('adapter_config.json', `"r" must be a positive integer, got ${JSON.stringify(r)}`, 'r');
    if (typeof alpha !== 'number') problem('adapter_config.json', `"lora_alpha" must be a number, got ${JSON.stringify(alpha)}`, 'lora_alpha');
    const targets = adapterCfg.target_modules;
    info.adapter = {
      baseModel: typeof adapterCfg.base_model_name_or_path === 'string' ? adapterCfg.base_model_name_or_path : null,
      r: r as number, alpha: alpha as number,
      targetModules: Array.isArray(targets) ? targets.filter((t): t is string => typeof t === 'string') : typeof targets === 'string' ? [targets] : [],
    };
    info.architectureName = 'PEFT LoRA adapter';
    info.modelType = 'peft';
    if (has('adapter_model.safetensors')) readWeights(['adapter_model.safetensors']);
    else if (has('adapter_model.bin')) problem('adapter_model.bin', 'pickle (.bin) files are not loaded: unpickling can run arbitrary code. Save the adapter as adapter_model.safetensors (PEFT: save_pretrained(..., safe_serialization=True))');
    else problem('adapter_model.safetensors', 'missing: an adapter folder needs its weights');
    readTokenizerFiles();
    return info;
  }

  // ---- config.json ---------------------------------------------------------------------------------------------
  const cfg = json('config.json');
  if (!cfg) {
    if (!has('config.json')) problem('config.json', 'missing: not a model folder (a Hugging Face model folder has config.json beside its weights)');
  } else {
    const parsed = parseModelConfigJson(cfg);
    info.kind = parsed.kind;
    info.architectureName = parsed.architectureName;
    info.modelType = parsed.modelType;
    info.config = parsed.config;
    problems.push(...parsed.problems);
    if (parsed.config) {
      info.contextLength = parsed.config.contextLength;
      info.vocabSize = parsed.config.vocabSize;
    }
  }

  // ---- weights -------------------------------------------------------------------------------------------------
  const index = json(SHARD_INDEX);
  if (index) {
    const map = index.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      problem(SHARD_INDEX, '"weight_map" must map tensor names to file names', 'weight_map');
    } else {
      const files = [...new Set(Object.values(map as Record<string, string>))].sort();
      const bad = files.find((f) => f.includes('/') || f.includes('\\') || f.startsWith('.'));
      if (bad) problem(SHARD_INDEX, `"weight_map" names a file outside the folder: ${JSON.stringify(bad)}`, 'weight_map');
      else {
        const tensors = readWeights(files);
        for (const [name, file] of Object.entries(map as Record<string, string>)) {
          if (has(file) && tensors && !tensors.has(name)) problem(file, `tensor "${name}" is listed in ${SHARD_INDEX} but not in this file`, name);
        }
      }
    }
  } else if (has('model.safetensors')) {
    readWeights(['model.safetensors']);
  } else if (!has(SHARD_INDEX)) {
    const pickles = entries.filter((f) => /^pytorch_model.*\.bin$/.test(f) || f === 'model.bin');
    if (pickles.length) {
      problem(pickles[0], 'pickle (.bin) weights are not loaded: unpickling can run arbitrary code. Convert the model to safetensors (transformers: model.save_pretrained(dir, safe_serialization=True)) and load that folder');
    } else if (entries.some((f) => f.endsWith('.safetensors'))) {
      problem(SHARD_INDEX, `missing: the folder has ${entries.filter((f) => f.endsWith('.safetensors')).join(', ')} but neither model.safetensors nor ${SHARD_INDEX}`);
    } else {
      problem('model.safetensors', 'missing: no weights in the folder (model.safetensors, or shards with model.safetensors.index.json)');
    }
  }

  readTokenizerFiles();
  const gen = json('generation_config.json');
  if (gen) info.generationConfig = gen;
  if (info.kind === 'huggingface' && !info.tokenizer && info.config) {
    problem('tokenizer.json', has('tokenizer.model') || has('vocab.json')
      ? 'missing: only a slow tokenizer (tokenizer.model / vocab.json) is here; save the fast tokenizer (tokenizer.save_pretrained with transformers installed writes tokenizer.json)'
      : 'missing: the model needs its tokenizer.json');
  }
  return info;

  /** Reads the headers of the weight files; checks names and shapes against the config. */
  function readWeights(files: string[]): Map<string, TensorHeader> | null {
    const all = new Map<string, TensorHeader>();
    const fileOf = new Map<string, string>();
    const dtypes = new Set<string>();
    for (const f of files) {
      if (!has(f)) {
        problem(f, 'missing: named by the shard index but not in the folder');
        continue;
      }
      try {
        const h = readSafetensorsHeader(join(dir, f), f);
        info.weightBytes += h.fileBytes;
        for (const [name, t] of h.tensors) {
          all.set(name, t);
          fileOf.set(name, f);
        }
      } catch (e) {
        problem(f, (e as Error).message.replace(`${f}: `, ''));
      }
    }
    info.weightFiles = files.filter(has);
    const config = info.config;
    let count = 0;
    const seen = new Set<string>();
    for (const [name, t] of all) {
      const engineName = config ? engineTensorName(config, name) : name;
      if (engineName === null) continue;
      if (FLOAT_DTYPES.has(t.dtype)) dtypes.add(t.dtype);
      count += t.shape.reduce((a, b) => a * b, 1);
      if (!config || info.adapter) continue;
      const want = expectedTensors(config).get(engineName);
      if (!want) problem(fileOf.get(name)!, `unexpected tensor "${name}" for ${info.architectureName}`, name);
      else if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) {
        problem(fileOf.get(name)!, `tensor "${name}" has shape [${t.shape}], the config implies [${want}]`, name);
      } else if (!FLOAT_DTYPES.has(t.dtype)) problem(fileOf.get(name)!, `tensor "${name}" is ${t.dtype}: only F32, F16 and BF16 weights are loaded (quantized weights are not)`, name);
      seen.add(engineName);
    }
    if (config && !info.adapter && files.every(has)) {
      const missing = [...expectedTensors(config).keys()].filter((n) => !seen.has(n));
      if (missing.length) problem(files.length > 1 ? SHARD_INDEX : files[0], `missing tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 4).map((n) => `"${n}"`).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}`, missing[0]);
    }
    info.parameterCount = count;
    info.dtype = dtypes.size === 0 ? null : dtypes.size === 1 ? [...dtypes][0] : 'mixed';
    return all;
  }

  function readTokenizerFiles(): void {
    const tok = json('tokenizer.json');
    if (tok) info.tokenizer = { kind: tok.type === 'byte-level' ? 'byte-level' : 'huggingface', file: 'tokenizer.json' };
    if (tok && tok.type !== 'byte-level' && (typeof tok.model !== 'object' || tok.model === null)) problem('tokenizer.json', 'has no "model" section (not a Hugging Face tokenizer.json?)', 'model');
    const tc = json('tokenizer_config.json');
    for (const [key, field] of [['bos', 'bos_token'], ['eos', 'eos_token'], ['pad', 'pad_token'], ['unk', 'unk_token']] as const) {
      const v = tc?.[field];
      const text = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : undefined;
      if (text !== undefined) info.specialTokens[key] = text;
    }
    if (tok?.type === 'byte-level' && typeof tok.eos_token === 'string') info.specialTokens.eos ??= tok.eos_token;
    // transformers prefers chat_template.jinja, then chat_template.json, then tokenizer_config.json's value.
    if (has('chat_template.jinja')) info.chatTemplate = readFileSync(join(dir, 'chat_template.jinja'), 'utf8');
    else {
      const ct = json('chat_template.json');
      const fromJson = templateValue(ct?.chat_template, 'chat_template.json');
      info.chatTemplate = fromJson ?? templateValue(tc?.chat_template, 'tokenizer_config.json');
    }
    // A checkpoint of this product records the template its run rendered with in template.json.
    const saved = info.chatTemplate === null ? json('template.json') : null;
    const spec = saved?.spec as { template?: unknown; preset?: unknown } | undefined;
    if (typeof spec?.template === 'string') info.chatTemplate = spec.template;
    else if (typeof spec?.preset === 'string' && isPresetName(spec.preset)) info.chatTemplate = getPreset(spec.preset).templates.chat ?? null;
  }

  function templateValue(v: unknown, file: string): string | null {
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) {
      const named = v.filter((e): e is { name: string; template: string } => e && typeof e.name === 'string' && typeof e.template === 'string');
      if (named.length !== v.length) problem(file, '"chat_template" list entries must be objects with string "name" and "template"', 'chat_template');
      return (named.find((e) => e.name === 'default') ?? named[0])?.template ?? null;
    }
    problem(file, '"chat_template" must be a string or a list of {"name", "template"}', 'chat_template');
    return null;
  }
}
