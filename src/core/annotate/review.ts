// The review schema: how a person's verdict on a record is stored in the record itself, so it travels with the
// data, survives any tool, and stays readable in a plain text editor.
//
//   "review": {
//     "status": "accepted" | "rejected",   // absent (or no "review" at all) = unreviewed
//     "rating": 1 | 2 | 3 | 4 | 5,           // optional quality score
//     "note":   "free text",                 // optional
//     "mark":   "tie" | "both-bad"           // preference records only: the two responses are equally good,
//   }                                        //   or neither is acceptable (such pairs teach nothing)
//
// Ranking records hold more than two responses and their order, best first, by index into `responses`:
//   {"prompt": "…", "responses": ["…", "…", "…"], "ranking": [2, 0, 1], "review": {…}}
//
// Training skips records with `review.status === "rejected"` unless asked to include them
// (`--include-rejected`), and skips preference records marked tie or both-bad. Other keys of `review` are kept
// untouched, so the schema can grow without the annotator losing anything.

export type ReviewStatus = 'accepted' | 'rejected';
export type PreferenceMark = 'tie' | 'both-bad';
export type StatusFilterValue = ReviewStatus | 'unreviewed';

export const REVIEW_KEY = 'review';
export const REVIEW_STATUSES: readonly ReviewStatus[] = ['accepted', 'rejected'];
export const PREFERENCE_MARKS: readonly PreferenceMark[] = ['tie', 'both-bad'];
export const MIN_RATING = 1;
export const MAX_RATING = 5;

export interface Review {
  status?: ReviewStatus;
  rating?: number;
  note?: string;
  mark?: PreferenceMark;
}

/** A `review` value the annotator could not understand; reported, never rewritten behind the user's back. */
export interface ReviewProblem {
  field: string;
  message: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isValidRating(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_RATING && n <= MAX_RATING;
}

/** Reads the review of a parsed record; malformed parts are left out of `review` and listed in `problems`. */
export function readReview(record: unknown): { review: Review; problems: ReviewProblem[] } {
  const review: Review = {};
  const problems: ReviewProblem[] = [];
  if (!isObject(record) || !(REVIEW_KEY in record)) return { review, problems };
  const raw = record[REVIEW_KEY];
  if (!isObject(raw)) {
    problems.push({ field: REVIEW_KEY, message: 'review must be an object like {"status": "accepted"}' });
    return { review, problems };
  }
  if ('status' in raw) {
    if (raw.status === 'accepted' || raw.status === 'rejected') review.status = raw.status;
    else problems.push({ field: 'review.status', message: `review.status must be "accepted" or "rejected", not ${JSON.stringify(raw.status)}` });
  }
  if ('rating' in raw) {
    if (isValidRating(raw.rating)) review.rating = raw.rating;
    else problems.push({ field: 'review.rating', message: `review.rating must be an integer from 1 to 5, not ${JSON.stringify(raw.rating)}` });
  }
  if ('note' in raw) {
    if (typeof raw.note === 'string') review.note = raw.note;
    else problems.push({ field: 'review.note', message: 'review.note must be a string' });
  }
  if ('mark' in raw) {
    if (raw.mark === 'tie' || raw.mark === 'both-bad') review.mark = raw.mark;
    else problems.push({ field: 'review.mark', message: `review.mark must be "tie" or "both-bad", not ${JSON.stringify(raw.mark)}` });
  }
  return { review, problems };
}

export function statusOf(review: Review): StatusFilterValue {
  return review.status ?? 'unreviewed';
}

/**
 * Whether training should use this record. Rejected records are skipped unless `includeRejected`; preference
 * pairs marked tie or both-bad carry no preference signal and are always skipped.
 */
export function isUsedForTraining(record: unknown, options: { includeRejected?: boolean } = {}): boolean {
  const { review } = readReview(record);
  if (review.status === 'rejected' && !options.includeRejected) return false;
  if (review.mark !== undefined) return false;
  return true;
}
