// A model folder's description as Markdown, for the hover on its config.json and the "Show Model Info" preview.
// Pure (no vscode): the hover, the preview and the tests share it.
import { basename } from 'node:path';
import type { ModelFolderInfo } from '../../core/modelFolder/types';

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** Markdown table cells must not break the row: pipes and newlines escaped. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The first lines of a chat template, for a glance (the whole thing opens in the template editor). */
export function templateHead(template: string, lines = 6): { text: string; more: number } {
  const all = template.replace(/\s+$/, '').split('\n');
  return { text: all.slice(0, lines).join('\n'), more: Math.max(0, all.length - lines) };
}

export function modelInfoMarkdown(info: ModelFolderInfo, options: { templateLines?: number; title?: boolean } = {}): string {
  const out: string[] = [];
  if (options.title !== false) out.push(`### ${cell(basename(info.dir))}`, '');
  out.push(info.problems.length === 0
    ? (info.kind === 'builtin' ? 'Instruct Studio built-in GPT checkpoint: loads for training and generation.' : 'Hugging Face model folder: loads in Instruct Studio.')
    : `**Cannot be loaded** (${info.problems.length} problem${info.problems.length === 1 ? '' : 's'}, below).`, '');
  const rows: Array<[string, string]> = [];
  rows.push(['architecture', `${info.architectureName}${info.modelType ? ` (\`${info.modelType}\`)` : ''}`]);
  if (info.adapter) {
    rows.push(['LoRA adapter', `r ${info.adapter.r}, alpha ${info.adapter.alpha}, on ${info.adapter.targetModules.join(', ') || '—'}`]);
    rows.push(['base model', info.adapter.baseModel ?? 'not named in adapter_config.json']);
  }
  if (info.parameterCount !== null) rows.push(['parameters', `${formatCount(info.parameterCount)} (${info.parameterCount.toLocaleString('en')})`]);
  if (info.config && 'nLayers' in info.config) rows.push(['layers', `${info.config.nLayers} × d_model ${info.config.dModel}, ${info.config.nHeads} heads`]);
  if (info.contextLength !== null) rows.push(['context length', `${info.contextLength.toLocaleString('en')} tokens`]);
  if (info.vocabSize !== null) rows.push(['vocabulary', info.vocabSize.toLocaleString('en')]);
  if (info.dtype) rows.push(['dtype', info.dtype]);
  if (info.weightFiles.length) rows.push(['weights', `${formatBytes(info.weightBytes)} in ${info.weightFiles.length === 1 ? info.weightFiles[0] : `${info.weightFiles.length} shards`}`]);
  rows.push(['tokenizer', info.tokenizer ? `${info.tokenizer.kind === 'byte-level' ? 'built-in byte-level' : 'Hugging Face'} (${info.tokenizer.file})` : 'none found']);
  const specials = Object.entries(info.specialTokens).filter(([, v]) => v).map(([k, v]) => `${k} \`${v}\``);
  if (specials.length) rows.push(['special tokens', specials.join(', ')]);
  if (info.generationConfig) {
    const g = Object.entries(info.generationConfig).filter(([k]) => !k.startsWith('_') && k !== 'transformers_version').slice(0, 6).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
    if (g.length) rows.push(['generation', g.join(', ')]);
  }
  out.push('| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`), '');
  if (info.chatTemplate) {
    const head = templateHead(info.chatTemplate, options.templateLines ?? 6);
    out.push('**Chat template**', '', '```jinja', head.text.replace(/```/g, '`\u200b``'), '```');
    if (head.more) out.push(`… ${head.more} more line${head.more === 1 ? '' : 's'}`);
    out.push('');
  } else out.push('No chat template: records render with a preset (Start Training, `--template`).', '');
  if (info.problems.length) {
    out.push('**Problems**', '');
    for (const p of info.problems) out.push(`- \`${p.file}${p.field ? `: ${p.field}` : ''}\`: ${p.message.replace(/\r?\n/g, ' ')}`);
    out.push('');
  }
  return out.join('\n');
}

/** One line for a quick pick's detail: what the folder is, or why it cannot load. */
export function modelInfoSummary(info: ModelFolderInfo): string {
  if (info.problems.length) return `cannot load: ${info.problems[0].file}${info.problems[0].field ? ` ${info.problems[0].field}` : ''}: ${info.problems[0].message}`;
  const parts = [info.architectureName];
  if (info.parameterCount !== null) parts.push(`${formatCount(info.parameterCount)} parameters`);
  if (info.contextLength !== null) parts.push(`context ${info.contextLength}`);
  if (info.chatTemplate) parts.push('chat template');
  return parts.join(' · ');
}
