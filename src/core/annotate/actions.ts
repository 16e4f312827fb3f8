// Annotator actions as pure functions from one line's text to its new text. The host turns the result into a
// WorkspaceEdit of that line only; everything not named by the action stays byte-identical.
import { LineEditError, removeValue, setValue, swapValues, rawValueAt, type JsonPath, pathToString } from './jsonLineEdit';
import { isValidRating, REVIEW_KEY, type PreferenceMark, type ReviewStatus } from './review';
import { rankingProblem } from './ranking';
import { isPlainObject, recordKind } from './recordKind';

export type AnnotatorAction =
  | { kind: 'status'; status: ReviewStatus | null }
  | { kind: 'rate'; rating: number | null }
  | { kind: 'note'; note: string }
  | { kind: 'mark'; mark: PreferenceMark | null }
  | { kind: 'swap' }
  | { kind: 'setField'; path: JsonPath; value: string }
  | { kind: 'rank'; ranking: number[] };

export const ACTION_KINDS = ['status', 'rate', 'note', 'mark', 'swap', 'setField', 'rank'] as const;

/** Removes `review.<key>`, and `review` itself when that leaves it empty, so accept-then-clear restores the line. */
function removeReviewKey(line: string, key: string): string {
  const next = removeValue(line, [REVIEW_KEY, key]);
  if (next === line) return line;
  return rawValueAt(next, [REVIEW_KEY])?.replace(/\s/g, '') === '{}' ? removeValue(next, [REVIEW_KEY]) : next;
}

function parsed(line: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new LineEditError(`the line is not valid JSON (${(e as Error).message}); fix it in the text editor first`);
  }
  if (!isPlainObject(v)) throw new LineEditError('the line is not a JSON object');
  const review = v[REVIEW_KEY];
  if (review !== undefined && !isPlainObject(review)) throw new LineEditError('review must be an object like {"status": "accepted"}; fix it in the text editor first', REVIEW_KEY);
  return v;
}

/** The line after `action`; throws LineEditError (naming the field) when the action does not fit the record. */
export function applyAction(line: string, action: AnnotatorAction): string {
  const record = parsed(line);
  switch (action.kind) {
    case 'status':
      return action.status === null ? removeReviewKey(line, 'status') : setValue(line, [REVIEW_KEY, 'status'], action.status);
    case 'rate':
      if (action.rating === null) return removeReviewKey(line, 'rating');
      if (!isValidRating(action.rating)) throw new LineEditError(`a rating is an integer from 1 to 5, not ${action.rating}`, 'review.rating');
      return setValue(line, [REVIEW_KEY, 'rating'], action.rating);
    case 'note':
      return action.note === '' ? removeReviewKey(line, 'note') : setValue(line, [REVIEW_KEY, 'note'], action.note);
    case 'mark':
      if (recordKind(record) !== 'preference' && recordKind(record) !== 'ranking') throw new LineEditError('tie and both-bad apply to preference records only', 'review.mark');
      return action.mark === null ? removeReviewKey(line, 'mark') : setValue(line, [REVIEW_KEY, 'mark'], action.mark);
    case 'swap':
      if (recordKind(record) !== 'preference') throw new LineEditError('swap applies to preference records (chosen/rejected) only', 'chosen');
      return swapValues(line, ['chosen'], ['rejected']);
    case 'setField': {
      const current = rawValueAt(line, action.path);
      if (current === undefined) throw new LineEditError(`the record has no ${pathToString(action.path)}`, pathToString(action.path));
      if (!current.startsWith('"')) throw new LineEditError(`${pathToString(action.path)} is not text; edit it in the text editor`, pathToString(action.path));
      if (action.path[0] === REVIEW_KEY) throw new LineEditError('the review is changed with the review actions', pathToString(action.path));
      return setValue(line, action.path, action.value);
    }
    case 'rank': {
      if (recordKind(record) !== 'ranking') throw new LineEditError('only records with "responses" can be ranked', 'ranking');
      const problem = rankingProblem(action.ranking, (record.responses as unknown[]).length);
      if (problem) throw new LineEditError(problem, 'ranking');
      return setValue(line, ['ranking'], action.ranking);
    }
  }
}

/** Runtime check of an action received from a webview. */
export function isAnnotatorAction(v: unknown): v is AnnotatorAction {
  if (!isPlainObject(v)) return false;
  switch (v.kind) {
    case 'status': return v.status === null || v.status === 'accepted' || v.status === 'rejected';
    case 'rate': return v.rating === null || isValidRating(v.rating);
    case 'note': return typeof v.note === 'string';
    case 'mark': return v.mark === null || v.mark === 'tie' || v.mark === 'both-bad';
    case 'swap': return true;
    case 'setField':
      return typeof v.value === 'string' && Array.isArray(v.path) && v.path.length > 0 && v.path.length <= 8
        && v.path.every((p) => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p) && p >= 0));
    case 'rank':
      return Array.isArray(v.ranking) && v.ranking.length <= 1000 && v.ranking.every((r) => typeof r === 'number' && Number.isInteger(r));
    default: return false;
  }
}
