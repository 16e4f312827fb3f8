// How a token's text is shown: whitespace that would otherwise vanish (a newline ending a turn, a tab, a
// trailing space) gets a visible mark beside it, and special tokens are shown whole as chips.

/** Newlines stay line breaks but are marked with ↵ so a trained newline is visible. */
export function visibleText(text: string): string {
  return text.replace(/\r?\n/g, '↵\n').replace(/\t/g, '→\t');
}

/** Compact form for counts: 1234 → "1,234". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
