// Reads a saved evaluation (report + generations) for the panel. Both files come from disk and may be hand-edited or
// half-written, so each is validated and a problem names the file (and line) instead of reaching the webview.
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { isPreferenceReport, MAX_GENERATIONS, parseGenerationLine, parseSavedReport, type GenerationLine, type PanelEvaluation } from '../../shared/protocol/evaluation';

export class EvaluationFileError extends Error {}

export async function loadEvaluation(reportPath: string, workspaceRoot?: string): Promise<PanelEvaluation> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(reportPath, 'utf8'));
  } catch (e) {
    throw new EvaluationFileError(`${reportPath}: ${e instanceof SyntaxError ? `not JSON (${e.message})` : (e as Error).message}`);
  }
  const parsed = parseSavedReport(raw);
  if (!parsed.ok) throw new EvaluationFileError(`${reportPath}: ${parsed.reason}`);
  const report = parsed.report;
  const generations: GenerationLine[] = [];
  let skipped = 0;
  if (!isPreferenceReport(report) && report.meta.generations) {
    const genPath = isAbsolute(report.meta.generations) ? report.meta.generations : join(dirname(reportPath), report.meta.generations);
    const text = await readFile(genPath, 'utf8').catch((e: Error) => { throw new EvaluationFileError(`${genPath}: ${e.message} (named by ${basename(reportPath)} meta.generations)`); });
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let g: GenerationLine | null = null;
      try {
        g = parseGenerationLine(JSON.parse(line));
      } catch {
        g = null;
      }
      if (g) generations.push(g);
      else skipped++;
    }
  }
  // The worst first, so the cap on what is sent keeps the failures.
  generations.sort((a, b) => a.scores.tuned.token_f1 - b.scores.tuned.token_f1);
  skipped += Math.max(0, generations.length - MAX_GENERATIONS);
  const name = workspaceRoot && !relative(workspaceRoot, reportPath).startsWith('..') ? relative(workspaceRoot, reportPath) : reportPath;
  return { path: reportPath, label: name, report, generations: generations.slice(0, MAX_GENERATIONS), skipped };
}
