// The pair annotator webview's messages: one union per direction narrowed on `type`, validated on receipt on
// both sides, so a malformed message becomes a clear error instead of an edit to the user's file.
import type { AnnotatorAction } from '../../core/annotate/actions';
import { isAnnotatorAction } from '../../core/annotate/actions';
import type { AnnotatorFilter } from '../../core/annotate/filter';
import type { Progress } from '../../core/annotate/lineIndex';
import type { RecordView, RowView } from '../../core/annotate/recordView';
import { arrayOf, bool, index, isObj, nullable, num, oneOf, optional, parseFields, shape, str, type Check } from './check';

export { ProtocolError } from './check';

export type BulkOp = 'acceptAll' | 'exportAccepted' | 'toPreference';

export type HostToWebview =
  /** The list changed (document edit, filter, indexing progress): `count` records pass the filter. */
  | { type: 'state'; version: number; fileName: string; count: number; progress: Progress; indexing: boolean; filter: AnnotatorFilter; tasks: string[]; problemCodes: string[]; canGenerate: boolean }
  /** Rows of the filtered list from position `start`. */
  | { type: 'rows'; version: number; start: number; rows: RowView[] }
  /** The full record at filtered position `position` (null when the list is empty). */
  | { type: 'record'; version: number; position: number; view: RecordView | null }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'setFilter'; filter: AnnotatorFilter }
  | { type: 'getRows'; start: number; count: number }
  | { type: 'getRecord'; position: number }
  /** `line` is the 0-based document line the webview showed; the host re-reads that line's current text. */
  | { type: 'action'; line: number; action: AnnotatorAction }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'bulk'; op: BulkOp }
  | { type: 'showInText'; line: number }
  | { type: 'generatePair'; line: number };


/** Most rows one request may ask for: a screenful or two, never the whole file. */
export const MAX_ROWS_PER_REQUEST = 500;

const kind = oneOf('alpaca', 'chat', 'completion', 'preference', 'ranking', 'unknown', 'invalid');
const status = oneOf('unreviewed', 'accepted', 'rejected');
const filter: Check = (v) => isObj(v)
  && Object.keys(v).every((k) => ['status', 'problem', 'task', 'text'].includes(k))
  && shape({ status: optional(status), problem: optional(str), task: optional(str), text: optional(str) })(v)
  && (typeof v.text !== 'string' || v.text.length <= 1000);
const path = arrayOf((p) => typeof p === 'string' || index(p));
const field = shape({ path, label: str, value: str, role: optional(str) });
const fields = arrayOf(field);
const review = shape({ status: optional(oneOf('accepted', 'rejected')), rating: optional(num), note: optional(str), mark: optional(oneOf('tie', 'both-bad')) });
const problem = shape({ code: str, message: str, severity: oneOf('error', 'warning', 'info'), field: optional(str) });
const row = shape({ line: index, kind, status, rating: optional(num), mark: optional(str), snippet: str, problemCount: index });
const recordView = shape({
  line: index, kind, status, review, task: optional(str), prompt: fields, response: fields,
  chosen: optional(fields), rejected: optional(fields), ranked: optional(arrayOf(shape({ index, fields }))),
  otherKeys: arrayOf(str), problems: arrayOf(problem), raw: optional(str),
});
const progress = shape({ records: index, reviewed: index, accepted: index, rejected: index });

const hostFields: Record<HostToWebview['type'], Record<string, Check>> = {
  state: { version: num, fileName: str, count: index, progress, indexing: bool, filter, tasks: arrayOf(str), problemCodes: arrayOf(str), canGenerate: bool },
  rows: { version: num, start: index, rows: arrayOf(row) },
  record: { version: num, position: index, view: nullable(recordView) },
  notice: { level: oneOf('info', 'error'), message: str },
};

const webviewFields: Record<WebviewToHost['type'], Record<string, Check>> = {
  ready: {},
  setFilter: { filter },
  getRows: { start: index, count: (v) => index(v) && (v as number) <= MAX_ROWS_PER_REQUEST },
  getRecord: { position: index },
  action: { line: index, action: isAnnotatorAction },
  undo: {},
  redo: {},
  bulk: { op: oneOf('acceptAll', 'exportAccepted', 'toPreference') },
  showInText: { line: index },
  generatePair: { line: index },
};

/** Validates a message the host received from the annotator webview. */
export function parseWebviewMessage(raw: unknown): WebviewToHost {
  return parseFields<WebviewToHost>(raw, webviewFields, 'message from annotator webview');
}

/** Validates a message the annotator webview received from the host. */
export function parseHostMessage(raw: unknown): HostToWebview {
  return parseFields<HostToWebview>(raw, hostFields, 'message to annotator webview');
}
