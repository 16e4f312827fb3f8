// Preference files → tokenized pairs. A record is `prompt` + `chosen` + `rejected` (strings, or message lists as TRL
// writes them), or a ranking (`prompt`, `responses`, `ranking` best first), which stands for every (better, worse)
// pair. Each side is rendered by the same template and masked exactly as SFT would train it, so the log-probability
// of a response is taken over the tokens SFT would have trained (response + end-of-turn).
import { isUsedForTraining } from '../../core/annotate/review';
import { readRanking } from '../../core/annotate/ranking';
import { loadDatasetFile } from '../../core/dataset';
import type { RecordRenderer, Rendering } from '../../core/template/types';
import type { TemplateRenderer } from '../../core/template';
import type { Tokenizer } from '../../core/tokenizer/types';
import { makeBatch, pairsOf, tokenizeExample, type Example } from '../data';
import { DataError, taskOf, type LoadOptions } from '../prepare';
import type { Batch } from '../engine/types';

export interface PreferencePair {
  chosen: Example;
  rejected: Example;
  record: Record<string, unknown>;
  file: string;
  line: number;
  task: string;
}

export interface LoadedPairs {
  pairs: PreferencePair[];
  skippedInvalid: number;
  excludedRejected: number;
  /** Rankings without a stored `ranking` yet: no order, no pairs. */
  unranked: number;
  truncated: number;
  tooLong: number;
}

export async function loadPreferencePairs(file: string, tokenizer: Tokenizer, renderer: RecordRenderer, opts: LoadOptions): Promise<LoadedPairs> {
  const { records, result } = await loadDatasetFile(file, { nearDuplicates: false });
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length && !opts.skipInvalid) {
    const shown = errors.slice(0, 20).map((p) => `  ${file}:${p.line}:${p.column}: ${p.message}${p.field ? ` (field ${p.field})` : ''} [${p.code}]`);
    const more = errors.length > shown.length ? `\n  … and ${errors.length - shown.length} more` : '';
    throw new DataError(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}; fix them or pass --skip-invalid:\n${shown.join('\n')}${more}`, errors);
  }
  const badLines = new Set(errors.map((p) => p.line));
  const out: LoadedPairs = { pairs: [], skippedInvalid: badLines.size, excludedRejected: 0, unranked: 0, truncated: 0, tooLong: 0 };
  for (const r of records) {
    if (badLines.has(r.line)) continue;
    if (r.format !== 'preference') {
      // One stray instruction record in a preference file is a mistake worth stopping for, not skipping.
      throw new DataError(`${file}:${r.line}: DPO trains on preference records (prompt, chosen, rejected; or prompt, responses, ranking), but this record is ${r.format ? `in ${r.format} format` : 'in no known format'} (fields: ${Object.keys(r.value).join(', ') || 'none'})`);
    }
    if (!isUsedForTraining(r.value, { includeRejected: opts.includeRejected })) {
      out.excludedRejected++;
      continue;
    }
    let sides: Array<Record<string, unknown>>;
    if ('responses' in r.value && !('chosen' in r.value)) {
      const { ranking, stored } = readRanking(r.value);
      if (!stored) { out.unranked++; continue; }
      const responses = r.value.responses as unknown[];
      sides = [];
      for (let i = 0; i < ranking.length; i++) {
        for (let j = i + 1; j < ranking.length; j++) sides.push({ prompt: r.value.prompt, chosen: responses[ranking[i]], rejected: responses[ranking[j]] });
      }
    } else {
      sides = [r.value];
    }
    const task = taskOf(r.value);
    for (const pref of sides) {
      let rendered: { chosen: Rendering; rejected: Rendering };
      try {
        rendered = renderPair(renderer, pref);
      } catch (e) {
        if (opts.skipInvalid) { out.skippedInvalid++; continue; }
        const field = (e as { field?: string }).field;
        throw new DataError(`${file}:${r.line}: cannot render the preference pair${field ? ` (field ${field})` : ''}: ${(e as Error).message}`);
      }
      const chosen = tokenizeExample(rendered.chosen, tokenizer, opts.maxTokens, task);
      const rejected = tokenizeExample(rendered.rejected, tokenizer, opts.maxTokens, task);
      if (chosen.truncated || rejected.truncated) out.truncated++;
      // A side with no response token left says nothing about the preference.
      if (chosen.example.trained === 0 || rejected.example.trained === 0) { out.tooLong++; continue; }
      out.pairs.push({ chosen: chosen.example, rejected: rejected.example, record: r.value, file, line: r.line, task });
    }
  }
  if (!out.pairs.length) {
    const why = out.tooLong ? `: ${out.tooLong} have no response within the first ${opts.maxTokens} tokens (raise the context length)`
      : out.unranked ? `: ${out.unranked} ranking record(s) have no "ranking" yet` : '';
    throw new DataError(`${file}: no preference pairs to train on${records.length ? ` (of ${records.length} records)` : ''}${why}`);
  }
  return out;
}

/** Both sides with their masks; the template renderer names `chosen`/`rejected` in its errors. */
function renderPair(renderer: RecordRenderer, record: Record<string, unknown>): { chosen: Rendering; rejected: Rendering } {
  if (typeof (renderer as Partial<TemplateRenderer>).renderPreference === 'function') return (renderer as TemplateRenderer).renderPreference(record);
  const side = (answer: unknown) => (Array.isArray(answer) || Array.isArray(record.prompt)
    ? { messages: [...((record.prompt as unknown[] | undefined) ?? []), ...(answer as unknown[])] }
    : { prompt: record.prompt, completion: answer });
  return { chosen: renderer.render(side(record.chosen)), rejected: renderer.render(side(record.rejected)) };
}

/**
 * One engine batch for these pairs: rows 0..n−1 are the chosen responses, n..2n−1 the rejected ones, one sequence per
 * row (a row's loss is one sequence's log-probability), padded to the longest. `weights` is the response mask.
 */
export function pairBatch(pairs: readonly PreferencePair[], contextLength: number, padId: number): Batch {
  const rows = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
  const seqLen = Math.max(1, Math.min(contextLength, Math.max(...rows.map(pairsOf))));
  return makeBatch(rows.map((ex) => [ex]), seqLen, padId);
}
