// Bulk actions over the records of the current filter: accept all, export accepted, convert to preference pairs.
import { applyAction } from './actions';
import { readReview } from './review';
import { readRanking } from './ranking';
import { isPlainObject, recordKind } from './recordKind';
import { parse } from './recordView';

export interface LineText {
  /** 0-based document line. */
  line: number;
  text: string;
}

export interface Skipped {
  line: number;
  reason: string;
}

/** New texts of the lines that accepting changes; lines that cannot take a review are reported, not touched. */
export function acceptAll(lines: readonly LineText[]): { edits: LineText[]; skipped: Skipped[] } {
  const edits: LineText[] = [];
  const skipped: Skipped[] = [];
  for (const { line, text } of lines) {
    const record = parse(text);
    if (!record) { skipped.push({ line, reason: 'not a JSON object' }); continue; }
    if (readReview(record).review.status === 'accepted') continue;
    try {
      edits.push({ line, text: applyAction(text, { kind: 'status', status: 'accepted' }) });
    } catch (e) {
      skipped.push({ line, reason: (e as Error).message });
    }
  }
  return { edits, skipped };
}

/** The accepted records' lines, byte for byte, as the content of a new JSONL file. */
export function exportAccepted(lines: readonly LineText[]): { text: string; count: number } {
  const out: string[] = [];
  for (const { text } of lines) {
    const record = parse(text);
    if (record && readReview(record).review.status === 'accepted') out.push(text);
  }
  return { text: out.length ? `${out.join('\n')}\n` : '', count: out.length };
}

export type PreferenceChoice = 'a' | 'b' | 'tie' | 'both-bad';

export interface PreferenceRecord {
  prompt: unknown;
  chosen: unknown;
  rejected: unknown;
  review?: { mark: 'tie' | 'both-bad' };
  [key: string]: unknown;
}

/**
 * The record appended to a preference file after a person compared responses `a` and `b` to `prompt`.
 * A tie or both-bad is kept (with its mark, so training skips it) because it is still a human judgement.
 */
export function buildPreferenceRecord(prompt: unknown, a: unknown, b: unknown, choice: PreferenceChoice, extra: Record<string, unknown> = {}): PreferenceRecord {
  if (typeof prompt !== 'string' && !Array.isArray(prompt)) throw new TypeError('prompt must be text or a list of chat messages');
  for (const [name, v] of [['a', a], ['b', b]] as const) {
    if (typeof v !== 'string' && !Array.isArray(v)) throw new TypeError(`response ${name} must be text or a list of chat messages`);
  }
  const [chosen, rejected] = choice === 'b' ? [b, a] : [a, b];
  const record: PreferenceRecord = { prompt, chosen, rejected, ...extra };
  if (choice === 'tie' || choice === 'both-bad') record.review = { mark: choice };
  return record;
}

/** What an instruction record asks, as a preference prompt, and what it answers. */
function promptAndAnswer(record: Record<string, unknown>): { prompt: unknown; answer: unknown } | undefined {
  switch (recordKind(record)) {
    case 'alpaca': {
      if (typeof record.instruction !== 'string' || typeof record.output !== 'string') return undefined;
      const input = typeof record.input === 'string' && record.input.trim() !== '' ? `\n\n${record.input}` : '';
      return { prompt: record.instruction + input, answer: record.output };
    }
    case 'completion':
      return typeof record.prompt === 'string' && typeof record.completion === 'string' ? { prompt: record.prompt, answer: record.completion } : undefined;
    case 'chat': {
      const msgs = record.messages;
      if (!Array.isArray(msgs) || msgs.length < 2) return undefined;
      const last = msgs[msgs.length - 1];
      if (!isPlainObject(last) || last.role !== 'assistant' || typeof last.content !== 'string') return undefined;
      return { prompt: msgs.slice(0, -1), answer: last.content };
    }
    default:
      return undefined;
  }
}

/**
 * Preference records from reviewed data: preference records pass through (unless rejected or marked tie /
 * both-bad); a ranking gives every (better, worse) pair; instruction records that share a prompt give
 * (accepted, rejected) pairs. Whatever yields no pair is listed in `skipped` with the reason.
 */
export function toPreferenceRecords(lines: readonly LineText[]): { records: string[]; skipped: Skipped[] } {
  const records: string[] = [];
  const skipped: Skipped[] = [];
  const byPrompt = new Map<string, { prompt: unknown; accepted: LineText[]; rejected: LineText[]; answers: Map<number, unknown> }>();
  for (const lt of lines) {
    const record = parse(lt.text);
    if (!record) { skipped.push({ line: lt.line, reason: 'not a JSON object' }); continue; }
    const { review } = readReview(record);
    const kind = recordKind(record);
    if (kind === 'preference') {
      if (review.status === 'rejected') skipped.push({ line: lt.line, reason: 'rejected' });
      else if (review.mark) skipped.push({ line: lt.line, reason: `marked ${review.mark}` });
      else records.push(lt.text);
      continue;
    }
    if (kind === 'ranking') {
      if (review.status === 'rejected' || review.mark) { skipped.push({ line: lt.line, reason: review.mark ? `marked ${review.mark}` : 'rejected' }); continue; }
      const { ranking, stored } = readRanking(record);
      if (!stored) { skipped.push({ line: lt.line, reason: 'no valid ranking yet' }); continue; }
      const responses = record.responses as unknown[];
      for (let i = 0; i < ranking.length; i++) {
        for (let j = i + 1; j < ranking.length; j++) {
          records.push(JSON.stringify({ prompt: record.prompt, chosen: responses[ranking[i]], rejected: responses[ranking[j]] }));
        }
      }
      continue;
    }
    const pa = promptAndAnswer(record);
    if (!pa) { skipped.push({ line: lt.line, reason: `a ${kind} record has no prompt and answer to pair` }); continue; }
    if (!review.status) { skipped.push({ line: lt.line, reason: 'not reviewed' }); continue; }
    const key = JSON.stringify(pa.prompt);
    let group = byPrompt.get(key);
    if (!group) byPrompt.set(key, (group = { prompt: pa.prompt, accepted: [], rejected: [], answers: new Map() }));
    group[review.status].push(lt);
    group.answers.set(lt.line, pa.answer);
  }
  for (const g of byPrompt.values()) {
    if (g.accepted.length === 0 || g.rejected.length === 0) {
      for (const lt of [...g.accepted, ...g.rejected]) skipped.push({ line: lt.line, reason: 'no accepted and rejected answer to the same prompt' });
      continue;
    }
    for (const good of g.accepted) {
      for (const bad of g.rejected) {
        records.push(JSON.stringify(buildPreferenceRecord(g.prompt, g.answers.get(good.line), g.answers.get(bad.line), 'a')));
      }
    }
  }
  skipped.sort((x, y) => x.line - y.line);
  return { records, skipped };
}
