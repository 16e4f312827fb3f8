// Nearest-name suggestions for misspelled keys and roles.

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/** True when `candidate` reads as a misspelling of `name` (a typo or two, or a different case). */
export function looksLike(candidate: string, name: string): boolean {
  if (candidate === name) return false;
  const limit = name.length <= 4 ? 1 : name.length <= 8 ? 2 : 3;
  return editDistance(candidate, name) <= limit;
}

/** The closest of `names` to `word` within a typo's distance, if any. */
export function nearest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    if (!looksLike(word, n) && word.toLowerCase() !== n) continue;
    const d = editDistance(word, n);
    if (d < bestD) { best = n; bestD = d; }
  }
  return best;
}
