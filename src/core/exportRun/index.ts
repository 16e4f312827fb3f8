// `export-run`: a local run folder → a self-contained folder that trains the same thing with Axolotl or TRL on a
// cluster. Generation is pure (exportFiles); writeExport puts the files on disk and never overwrites without force.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { axolotlConfig } from './axolotl';
import { prepareDataFile, type PreparedFile } from './data';
import { accelerateDeepSpeed, accelerateMultiGpu, deepSpeedZero2 } from './distributed';
import { makePlan, type ExportPlan } from './plan';
import { exportReadme, type ExportTarget } from './readme';
import { ExportError, readExportSource } from './source';
import { trlScript } from './trl';

export { ExportError } from './source';
export type { ExportTarget } from './readme';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['axolotl', 'trl'];

export interface ExportOptions {
  to: ExportTarget;
  /** A hub id or folder to name as the base model (required in practice for runs of the built-in model). */
  baseModel?: string;
}

export interface ExportResult {
  plan: ExportPlan;
  /** Path relative to the export folder → content. */
  files: Map<string, string>;
  /** Things the user must act on (no base model, records left out). */
  warnings: string[];
}

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

export async function exportFiles(runDir: string, options: ExportOptions): Promise<ExportResult> {
  const source = readExportSource(runDir, { baseModel: options.baseModel });
  if (!existsSync(source.dataset)) throw new ExportError(`${source.dataset}: the run's dataset is not on this machine any more`);
  if (source.eval && !existsSync(source.eval)) throw new ExportError(`${source.eval}: the run's eval file is not on this machine any more`);
  const train = await prepareDataFile(source.dataset, source.template.spec, source.stage);
  const evalFile: PreparedFile | null = source.eval ? await prepareDataFile(source.eval, source.template.spec, source.stage) : null;
  const plan = makePlan(source, train, evalFile);

  const files = new Map<string, string>();
  files.set(plan.train.records, train.records.join('\n') + '\n');
  files.set(plan.train.rendered, jsonl(train.rendered));
  if (plan.eval && evalFile) {
    files.set(plan.eval.records, evalFile.records.join('\n') + '\n');
    files.set(plan.eval.rendered, jsonl(evalFile.rendered));
  }
  if (plan.chatTemplate !== null && plan.chatTemplateFile) files.set(plan.chatTemplateFile, plan.chatTemplate.endsWith('\n') ? plan.chatTemplate : plan.chatTemplate + '\n');
  if (options.to === 'axolotl') files.set('axolotl.yml', axolotlConfig(plan));
  else {
    files.set('train_trl.py', trlScript(plan));
    files.set('accelerate_deepspeed_zero2.yaml', accelerateDeepSpeed());
  }
  files.set('accelerate_multi_gpu.yaml', accelerateMultiGpu());
  files.set('deepspeed_zero2.json', deepSpeedZero2());
  files.set('README.md', exportReadme(plan, options.to, { train, eval: evalFile }));

  const warnings: string[] = [];
  if (plan.baseModel === null) warnings.push(`no base model: ${plan.baseModelNote.join(' ')}`);
  for (const p of [train, evalFile]) {
    if (!p) continue;
    const s = p.skipped;
    if (s.invalid || s.rejected || s.tiedOrBothBad || s.unrenderable) {
      warnings.push(`${p.source}: left out ${s.invalid + s.rejected + s.tiedOrBothBad + s.unrenderable} record(s) the local run did not train on either${s.firstRenderError ? ` (first render error: ${s.firstRenderError})` : ''}`);
    }
  }
  return { plan, files, warnings };
}

/** Writes the export into `outDir`; an existing non-empty folder is refused unless `force`. */
export async function writeExport(runDir: string, outDir: string, options: ExportOptions & { force?: boolean }): Promise<ExportResult & { outDir: string }> {
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0 && !options.force) throw new ExportError(`${out} already exists and is not empty; choose another folder or pass --force (nothing was written)`);
  if (resolve(runDir) === out) throw new ExportError(`${out}: export into a folder of its own, not into the run folder`);
  const result = await exportFiles(runDir, options);
  for (const [rel, content] of result.files) {
    const path = join(out, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return { ...result, outDir: out };
}
