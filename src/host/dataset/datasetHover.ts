// Hover on a record line of a dataset: its format, prompt/response token counts (built-in byte-level tokenizer)
// against the token budget, and the problems found on it.
import * as vscode from 'vscode';
import type { DatasetFormat, Problem } from '../../core/dataset/types';
import { recordInfo } from './recordInfo';
import { datasetOptions } from './settings';
import type { DatasetDiagnostics } from './datasetDiagnostics';

const FORMAT_LABEL: Record<DatasetFormat, string> = {
  alpaca: 'alpaca (instruction / input / output)',
  chat: 'chat (messages)',
  completion: 'prompt / completion',
  preference: 'preference (prompt / chosen / rejected)',
};

const SEVERITY_ICON = { error: '$(error)', warning: '$(warning)', info: '$(info)' } as const;

export class DatasetHoverProvider implements vscode.HoverProvider {
  constructor(private readonly diagnostics: DatasetDiagnostics) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const published = this.diagnostics.problemsFor(doc.uri);
    // Only files that get diagnostics are datasets; other JSONL gets no hover from us.
    if (!published) return undefined;
    const line = doc.lineAt(position.line);
    const info = recordInfo(line.text, published.summary.format === 'unknown' ? undefined : published.summary.format);
    if (info.kind === 'blank') return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Instruct Studio** · record on line ${position.line + 1}\n\n`);
    if (info.kind === 'too-long') {
      md.appendMarkdown(`Line of ${info.chars.toLocaleString('en-US')} characters: too long to inspect in a hover.\n\n`);
    } else if (info.kind === 'invalid') {
      md.appendText(info.reason);
      md.appendMarkdown('\n\n');
    } else {
      const format = info.format ? `${FORMAT_LABEL[info.format]}${info.guessed ? ' — probably; required keys are missing' : ''}` : 'no known format';
      md.appendMarkdown(`Format: ${format}\n\n`);
      const maxTokens = datasetOptions(doc.uri).maxTokens ?? 2048;
      const response = info.rejectedTokens === undefined ? info.responseTokens : Math.max(info.responseTokens, info.rejectedTokens);
      md.appendMarkdown('| | tokens |\n|:--|--:|\n');
      md.appendMarkdown(`| prompt | ${info.promptTokens} |\n`);
      md.appendMarkdown(`| response${info.rejectedTokens === undefined ? '' : ' (chosen)'} | ${info.responseTokens} |\n`);
      if (info.rejectedTokens !== undefined) md.appendMarkdown(`| rejected | ${info.rejectedTokens} |\n`);
      md.appendMarkdown(`| **total** | **${info.promptTokens + response}** / ${maxTokens} |\n\n`);
      md.appendMarkdown('_byte-level tokenizer_\n\n');
    }
    const problems = problemsOnLine(published.summary.problems, position.line + 1);
    if (problems.length) {
      md.appendMarkdown(`${problems.length} problem${problems.length > 1 ? 's' : ''}:\n\n`);
      for (const p of problems) {
        md.appendMarkdown(`- ${SEVERITY_ICON[p.severity]} \`${p.code}\` `);
        md.appendText(p.message);
        md.appendMarkdown('\n');
      }
    } else if (info.kind === 'record') {
      md.appendMarkdown('$(check) no problems\n');
    }
    return new vscode.Hover(md, line.range);
  }
}

function problemsOnLine(problems: readonly Problem[], line: number): Problem[] {
  return problems.filter((p) => p.line === line);
}
