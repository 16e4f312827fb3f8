// Sentence splitting as IFEval's `instructions_util.split_into_sentences`, so sentence-count checks agree with it
// on abbreviations ("Dr.", "U.S."), decimals, ellipses and websites.

const ALPHABETS = '([A-Za-z])';
const PREFIXES = '(Mr|St|Mrs|Ms|Dr)[.]';
const SUFFIXES = '(Inc|Ltd|Jr|Sr|Co)';
const STARTERS = '(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\\s|She\\s|It\\s|They\\s|Their\\s|Our\\s|We\\s|But\\s|However\\s|That\\s|This\\s|Wherever)';
const ACRONYMS = '([A-Z][.][A-Z][.](?:[A-Z][.])?)';
const WEBSITES = '[.](com|net|org|io|gov|edu|me)';
const DIGITS = '([0-9])';

const re = (source: string): RegExp => new RegExp(source, 'g');

export function splitIntoSentences(input: string): string[] {
  let text = ` ${input}  `;
  text = text.replace(/\n/g, ' ');
  text = text.replace(re(PREFIXES), '$1<prd>');
  text = text.replace(re(WEBSITES), '<prd>$1');
  text = text.replace(re(`${DIGITS}[.]${DIGITS}`), '$1<prd>$2');
  text = text.replace(/\.{2,}/g, (dots) => '<prd>'.repeat(dots.length) + '<stop>');
  if (text.includes('Ph.D')) text = text.replace(/Ph\.D\./g, 'Ph<prd>D<prd>');
  text = text.replace(re(`\\s${ALPHABETS}[.] `), ' $1<prd> ');
  text = text.replace(re(`${ACRONYMS} ${STARTERS}`), '$1<stop> $2');
  text = text.replace(re(`${ALPHABETS}[.]${ALPHABETS}[.]${ALPHABETS}[.]`), '$1<prd>$2<prd>$3<prd>');
  text = text.replace(re(`${ALPHABETS}[.]${ALPHABETS}[.]`), '$1<prd>$2<prd>');
  text = text.replace(re(` ${SUFFIXES}[.] ${STARTERS}`), ' $1<stop> $2');
  text = text.replace(re(` ${SUFFIXES}[.]`), ' $1<prd>');
  text = text.replace(re(` ${ALPHABETS}[.]`), ' $1<prd>');
  // Closing quotes move inside the terminator so the quote stays with its sentence.
  text = text.replace(/\.”/g, '”.').replace(/\."/g, '".').replace(/!"/g, '"!').replace(/\?"/g, '"?');
  text = text.replace(/\./g, '.<stop>').replace(/\?/g, '?<stop>').replace(/!/g, '!<stop>');
  text = text.replace(/<prd>/g, '.');
  const sentences = text.split('<stop>').map((s) => s.trim());
  if (sentences.length > 0 && sentences[sentences.length - 1] === '') sentences.pop();
  return sentences;
}
