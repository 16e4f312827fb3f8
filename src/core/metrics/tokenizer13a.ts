// sacreBLEU's default `13a` tokenizer (mteval-v13a.pl), the tokenisation BLEU scores are comparable under.

const RULES: ReadonlyArray<[RegExp, string]> = [
  // Symbols and ASCII punctuation other than period, comma and dash, spaced out.
  [/([{-~[-` -&(-+:-@/])/g, ' $1 '],
  // Period and comma unless preceded by a digit...
  [/([^0-9])([.,])/g, '$1 $2 '],
  // ...and unless followed by a digit, so "3.5" and "1,000" survive.
  [/([.,])([^0-9])/g, ' $1 $2'],
  // Dash after a digit, so "5-6" splits.
  [/([0-9])(-)/g, '$1 $2 '],
];

export function tokenize13a(line: string): string[] {
  let s = line.replace(/<skipped>/g, '').replace(/-\n/g, '').replace(/\n/g, ' ');
  if (s.includes('&')) {
    s = s.replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  s = ` ${s} `;
  for (const [re, repl] of RULES) s = s.replace(re, repl);
  return s.split(/\s+/).filter((t) => t.length > 0);
}
