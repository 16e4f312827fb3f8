// What a hover tells about one JSONL line: its format and token counts. Pure (no editor API) so it is unit-tested.
import { closestFormat, detectFormat, isRecord, visitContent, type DatasetFormat } from '../../core/dataset/index';
import { ByteTokenizer } from '../../core/tokenizer/byteTokenizer';

/** Longer lines are not parsed on the host's thread for a hover (JSON.parse of megabytes would stall typing). */
export const HOVER_MAX_LINE_CHARS = 1_000_000;

export type RecordInfo =
  | { kind: 'blank' }
  | { kind: 'too-long'; chars: number }
  | { kind: 'invalid'; reason: string }
  | {
      kind: 'record';
      /** The record's own format, or the one it was most likely meant to be (`guessed`). */
      format: DatasetFormat | undefined;
      guessed: boolean;
      promptTokens: number;
      responseTokens: number;
      /** Preference records: the rejected answer, counted apart from the response (the chosen one). */
      rejectedTokens?: number;
      keys: string[];
    };

const tokenizer = new ByteTokenizer();

export function recordInfo(lineText: string, fileFormat?: DatasetFormat): RecordInfo {
  if (lineText.trim() === '') return { kind: 'blank' };
  if (lineText.length > HOVER_MAX_LINE_CHARS) return { kind: 'too-long', chars: lineText.length };
  let value: unknown;
  try {
    value = JSON.parse(lineText.charCodeAt(0) === 0xfeff ? lineText.slice(1) : lineText);
  } catch (e) {
    return { kind: 'invalid', reason: `not valid JSON: ${(e as Error).message}` };
  }
  if (!isRecord(value)) return { kind: 'invalid', reason: 'not a JSON object' };
  const own = detectFormat(value);
  const format = own ?? closestFormat(value, fileFormat);
  let promptTokens = 0;
  let responseTokens = 0;
  let rejectedTokens = 0;
  if (format) {
    visitContent(value, format, (text, isResponse, field) => {
      const n = tokenizer.countTokens(text);
      if (!isResponse) promptTokens += n;
      else if (field.startsWith('rejected')) rejectedTokens += n;
      else responseTokens += n;
    });
  }
  return {
    kind: 'record',
    format,
    guessed: own === undefined && format !== undefined,
    promptTokens,
    responseTokens,
    ...(format === 'preference' ? { rejectedTokens } : {}),
    keys: Object.keys(value),
  };
}
