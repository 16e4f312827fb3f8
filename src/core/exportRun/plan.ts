// Everything both targets share: the base model line, the template, the length of training and where the data
// files go inside DIR. Each target (axolotl.ts, trl.ts) turns a plan into its own files.
import type { DatasetFormat } from '../dataset/types';
import { createRenderer, getPreset } from '../template/index';
import type { PreparedFile } from './data';
import type { ExportSource } from './source';

export const BASE_MODEL_PLACEHOLDER = 'CHOOSE_A_BASE_MODEL';

export interface DataPaths {
  /** The kept records, as written (relative to DIR). */
  records: string;
  /** The rendered examples (relative to DIR). */
  rendered: string;
  format: DatasetFormat;
  count: number;
  renderedCount: number;
}

export interface ExportPlan {
  source: ExportSource;
  /** A hub id or folder path; null when the user must choose one (see `baseModelNote`). */
  baseModel: string | null;
  baseModelNote: string[];
  train: DataPaths;
  eval: DataPaths | null;
  /** The chat template's Jinja source when the data has chats (or the template is a chat template), else null. */
  chatTemplate: string | null;
  /** `chat_template.jinja` in DIR when `chatTemplate` is set. */
  chatTemplateFile: string | null;
  /** The BOS text the template writes (the rendered prompts start with it when the template uses bos_token). */
  templateBos: string;
  length: { maxSteps: number } | { epochs: number };
  lengthNote: string | null;
  outputDir: string;
}

export function dataPaths(split: 'train' | 'eval', prepared: PreparedFile, stage: 'sft' | 'dpo'): DataPaths {
  return {
    records: `data/${split}.jsonl`,
    rendered: stage === 'dpo' ? `data/${split}.pairs.jsonl` : `data/${split}.rendered.jsonl`,
    format: prepared.format,
    count: prepared.records.length,
    renderedCount: prepared.rendered.length,
  };
}

export function makePlan(source: ExportSource, train: PreparedFile, evalFile: PreparedFile | null): ExportPlan {
  const base = baseModelLine(source);
  const chatTemplate = chatTemplateSource(source);
  const s = source.settings;
  let length: ExportPlan['length'];
  let lengthNote: string | null = null;
  if (s.steps > 0) length = { maxSteps: s.steps };
  else if (s.maxMinutes > 0 && source.totalSteps) {
    length = { maxSteps: source.totalSteps };
    lengthNote = `the local run had a ${s.maxMinutes}-minute budget, which fixed its schedule at ${source.totalSteps} steps`;
  } else length = { epochs: s.epochs };
  return {
    source,
    baseModel: base.id,
    baseModelNote: base.note,
    train: dataPaths('train', train, source.stage),
    eval: evalFile ? dataPaths('eval', evalFile, source.stage) : null,
    chatTemplate,
    chatTemplateFile: chatTemplate === null ? null : 'chat_template.jinja',
    templateBos: createRenderer(source.template.spec).bosToken,
    length,
    lengthNote,
    outputDir: `./outputs/${source.name.replace(/[^\w.-]+/g, '-') || 'run'}`,
  };
}

function baseModelLine(source: ExportSource): { id: string | null; note: string[] } {
  const m = source.model;
  switch (m.kind) {
    case 'given':
      return { id: m.id, note: ['Chosen at export (--base-model).'] };
    case 'folder':
      return {
        id: m.path,
        note: [
          'The Hugging Face model folder this run started from, on the machine it was exported on:',
          `copy it to the cluster and change this path${m.hubId ? `, or use the hub id its config.json names (${m.hubId}) if it is unchanged from that` : ''}.`,
        ],
      };
    case 'builtin':
      return {
        id: null,
        note: [
          `This run trained Instruct Studio's built-in model (${m.name}), which has no Hugging Face equivalent.`,
          'Choose a base model (a hub id such as a small Llama/Qwen/SmolLM, or a folder) and put it here,',
          'or export again with --base-model ID.',
        ],
      };
    case 'unknown':
      return { id: null, note: [`The run's base model cannot be named: ${m.reason}.`, 'Put a hub id or folder here, or export again with --base-model ID.'] };
  }
}

/** The Jinja chat template the run used, when it has one (a preset's or the file's). */
function chatTemplateSource(source: ExportSource): string | null {
  const spec = source.template.spec;
  if (typeof spec.template === 'string') return /\bmessages\b/.test(spec.template) ? spec.template : null;
  if (spec.template) return spec.template.chat ?? null;
  return getPreset(spec.preset ?? 'byte-level').templates.chat ?? null;
}

/** The base model as written into a config: the id, or the placeholder that fails loudly. */
export function baseModelValue(plan: ExportPlan): string {
  return plan.baseModel ?? BASE_MODEL_PLACEHOLDER;
}

/** LoRA target modules: the run's, else the attention projections of the base architecture (PEFT's names). */
export function loraTargets(plan: ExportPlan): { modules: string[]; defaulted: boolean } {
  const t = plan.source.lora?.targets ?? [];
  if (t.length) return { modules: t, defaulted: false };
  const m = plan.source.model;
  if (m.kind === 'folder' && m.modelType === 'gpt2') return { modules: ['c_attn'], defaulted: true };
  return { modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'], defaulted: true };
}
