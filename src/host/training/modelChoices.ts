// The "model" step of Start Training without the editor: the items (built-in models, recent folders, Browse…) and
// the check of a browsed folder. The folder description is passed in (describeModelFolder), so tests can give
// their own.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ModelFolderInfo } from '../../core/modelFolder/types';
import { modelInfoSummary } from '../modelInfo/modelInfoMarkdown';

export type DescribeFolder = (dir: string) => ModelFolderInfo;

export interface ModelItem {
  label: string;
  description?: string;
  detail?: string;
  /** `tiny`, `scratch`, a folder, or '' for Browse…. */
  value: string;
}

export const BROWSE = '';

export function modelItems(recent: readonly string[], describe: DescribeFolder): ModelItem[] {
  const folders = recent.filter((m) => m !== 'tiny' && m !== 'scratch' && existsSync(m));
  return [
    { label: 'Built-in tiny base model (pre-trained)', description: 'tiny · byte-level GPT, fine-tunes on the CPU in minutes', value: 'tiny' },
    { label: 'Built-in tiny model from scratch', description: 'scratch · the same architecture from random weights', value: 'scratch' },
    ...folders.map((m): ModelItem => ({ label: basename(m), description: m, detail: modelInfoSummary(describe(modelDirOf(m))), value: m })),
    { label: 'Browse…', description: 'a Hugging Face model folder or a run / checkpoint folder', value: BROWSE },
  ];
}

/** The folder holding the model's config.json: the folder itself, or a run folder's best/ or checkpoint/. */
export function modelDirOf(dir: string): string {
  if (existsSync(join(dir, 'config.json'))) return dir;
  for (const inner of ['best', 'checkpoint']) if (existsSync(join(dir, inner, 'config.json'))) return join(dir, inner);
  return dir;
}

/** Whether a browsed folder can be trained from, and why not: each problem as `file: field: message`. */
export function checkModelFolder(dir: string, describe: DescribeFolder): { ok: true; info: ModelFolderInfo } | { ok: false; info: ModelFolderInfo; problems: string[] } {
  const info = describe(modelDirOf(dir));
  if (info.problems.length === 0) return { ok: true, info };
  return { ok: false, info, problems: info.problems.map((p) => `${p.file}${p.field ? `: ${p.field}` : ''}: ${p.message}`) };
}
