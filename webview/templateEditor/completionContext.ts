// Where the cursor is, for completion: inside a {{ }} / {% %} block or in plain text, and whether right after a
// dot (a field of a record or a loop variable). Pure, so it is tested without Monaco.

export type CompletionPlace =
  /** In template text: offer whole `{{ name }}` snippets. */
  | { in: 'text' }
  /** In an expression or statement; `member` after `x.` (offer fields), else names and keywords. */
  | { in: 'code'; member: boolean };

/** `before` is the template text up to the cursor. */
export function completionPlace(before: string): CompletionPlace {
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  const close = Math.max(before.lastIndexOf('}}'), before.lastIndexOf('%}'));
  if (open < 0 || close > open) return { in: 'text' };
  const word = /[A-Za-z_]\w*$/.exec(before)?.[0] ?? '';
  const beforeWord = before.slice(0, before.length - word.length);
  return { in: 'code', member: /\.\s*$/.test(beforeWord) && !/\d\.\s*$/.test(beforeWord) };
}
