// A run config file (`*.instruct.json`): a training run written down so it can be reviewed, committed and
// started again. Paths are relative to the file's folder. The JSON schema in media/schemas mirrors this.
import { dirname, isAbsolute, resolve } from 'node:path';
import { isPresetName } from '../template/presets/index';

export interface RunConfigFile {
  data: string;
  eval?: string;
  evalFraction?: number;
  /** `tiny` (built-in) or a model / checkpoint folder. */
  model?: string;
  out: string;
  preset?: 'quick' | 'standard';
  stage?: 'sft' | 'dpo';
  skipInvalid?: boolean;
  includeRejected?: boolean;
  /** The chat template to render records with: a preset name, or a .jinja / tokenizer_config.json[#name] / model folder path. */
  template?: string;
  /** Training settings by name (lr, steps, epochs, batchSize, maxMinutes, seed, …), as the trainer's config. */
  training?: Record<string, number | boolean | string | Record<string, number>>;
}

export interface ResolvedRunConfig {
  data: string;
  eval?: string;
  evalFraction?: number;
  model: string;
  out: string;
  preset: 'quick' | 'standard';
  stage: 'sft' | 'dpo';
  skipInvalid: boolean;
  includeRejected: boolean;
  /** A preset name as written, or an absolute path (`#name` kept); undefined: the default rendering. */
  template?: string;
  training: Record<string, number | boolean | string | Record<string, number>>;
}

export class RunConfigError extends Error {
  constructor(readonly file: string, readonly field: string, message: string) {
    super(`${file}: ${field ? `"${field}" ` : ''}${message}`);
  }
}

/** Training settings whose values are words, not numbers (src/trainer/config.ts). */
const STRING_SETTINGS = new Set(['dpoLoss']);
const KEYS = new Set(['$schema', 'data', 'eval', 'evalFraction', 'model', 'out', 'preset', 'stage', 'skipInvalid', 'includeRejected', 'template', 'training', 'description']);

export function parseRunConfig(text: string, file: string): ResolvedRunConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunConfigError(file, '', `is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RunConfigError(file, '', 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) throw new RunConfigError(file, k, 'is not a run setting (did you mean to put it under "training"?)');
  const base = dirname(file);
  const path = (k: string, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined) { if (required) throw new RunConfigError(file, k, 'is required'); return undefined; }
    if (typeof v !== 'string' || !v.trim()) throw new RunConfigError(file, k, 'must be a non-empty path');
    return isAbsolute(v) ? v : resolve(base, v);
  };
  const bool = (k: string): boolean => {
    const v = o[k];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new RunConfigError(file, k, 'must be true or false');
    return v;
  };
  const oneOf = <T extends string>(k: string, values: readonly T[], dflt: T): T => {
    const v = o[k];
    if (v === undefined) return dflt;
    if (!values.includes(v as T)) throw new RunConfigError(file, k, `must be one of ${values.map((x) => `"${x}"`).join(', ')}`);
    return v as T;
  };
  let evalFraction: number | undefined;
  if (o.evalFraction !== undefined) {
    if (typeof o.evalFraction !== 'number' || !(o.evalFraction >= 0 && o.evalFraction < 1)) throw new RunConfigError(file, 'evalFraction', 'must be a number in [0, 1)');
    evalFraction = o.evalFraction;
  }
  const model = o.model === undefined || o.model === 'tiny' ? 'tiny' : path('model', true)!;
  const template = templateRef(o.template, file, base);
  const training: ResolvedRunConfig['training'] = {};
  if (o.training !== undefined) {
    if (typeof o.training !== 'object' || o.training === null || Array.isArray(o.training)) throw new RunConfigError(file, 'training', 'must be an object of settings');
    for (const [k, v] of Object.entries(o.training as Record<string, unknown>)) {
      if (STRING_SETTINGS.has(k)) {
        if (typeof v !== 'string') throw new RunConfigError(file, `training.${k}`, 'must be a string');
        training[k] = v;
        continue;
      }
      const ok = typeof v === 'number' || typeof v === 'boolean'
        || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((w) => typeof w === 'number'));
      if (!ok) throw new RunConfigError(file, `training.${k}`, 'must be a number, true/false, or an object of numbers');
      training[k] = v as number | boolean | string | Record<string, number>;
    }
  }
  return {
    data: path('data', true)!,
    eval: path('eval', false),
    evalFraction,
    model,
    out: path('out', true)!,
    preset: oneOf('preset', ['quick', 'standard'] as const, 'standard'),
    stage: oneOf('stage', ['sft', 'dpo'] as const, 'sft'),
    skipInvalid: bool('skipInvalid'),
    includeRejected: bool('includeRejected'),
    ...(template === undefined ? {} : { template }),
    training,
  };
}

/** A preset name stays as written (the trainer knows presets); anything else is a path relative to the config file. */
function templateRef(v: unknown, file: string, base: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v.trim()) throw new RunConfigError(file, 'template', 'must be a preset name or a path to a .jinja, tokenizer_config.json or model folder');
  if (isPresetName(v)) return v;
  const hash = v.lastIndexOf('#');
  const [path, name] = hash > 0 && /\.json$/i.test(v.slice(0, hash)) ? [v.slice(0, hash), v.slice(hash)] : [v, ''];
  return (isAbsolute(path) ? path : resolve(base, path)) + name;
}
