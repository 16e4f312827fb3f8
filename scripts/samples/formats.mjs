// Sample datasets in each format, composed from the hand-written knowledge in knowledge.mjs and from small
// computations whose answers are right by construction (conversions, arithmetic, dates, sorting).
import { CONCEPTS, CAPITALS, REVIEWS, TRANSLATIONS, SYSTEM_PROMPTS } from './knowledge.mjs';
import { WORDS } from './words.mjs';

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const bare = (name) => name.replace(/^(a|an|the) /, '');
const fmt = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const NAMES = ['Sam', 'Priya', 'Tomás', 'Aiko', 'Lena', 'Kwame', 'Noor', 'Ivan', 'Maya', 'Chen'];
const ITEMS = [['notebook', 2.5], ['apple', 0.4], ['bus ticket', 1.8], ['coffee', 3.2], ['pencil', 0.75], ['sandwich', 4.5], ['postcard', 1.2]];
const money = (x) => `$${x.toFixed(2)}`;

function conversions(r) {
  const c = r.int(-20, 45);
  const km = r.int(2, 120);
  const y = r.int(1990, 2029);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  return {
    tempQ: `Convert ${c} °C to Fahrenheit.`, tempA: `${c} °C is ${fmt(c * 9 / 5 + 32)} °F.`, c, f: c * 9 / 5 + 32,
    kmQ: `How many miles is ${km} km?`, kmA: `${km} km is about ${(km * 0.621371).toFixed(1)} miles.`, km,
    date: `${MONTHS[m - 1]} ${d}, ${y}`, iso: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
  };
}

function purchase(r) {
  const name = r.pick(NAMES);
  const [item, price] = r.pick(ITEMS);
  const n = r.int(2, 9);
  return { q: `${name} buys ${n} ${item}s at ${money(price)} each. How much does ${name} spend?`, a: `${n} × ${money(price)} = ${money(n * price)}. ${name} spends ${money(n * price)}.`, total: n * price };
}

const uniqueBy = (list, key) => {
  const seen = new Set();
  return list.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
};

export function makeAlpaca(r) {
  const out = [];
  for (const c of CONCEPTS) {
    const ask = r.pick([`Explain ${c.name} in one or two sentences.`, `What is ${c.name}?`, `Define ${bare(c.name)} for a beginner.`]);
    out.push({ instruction: ask, input: '', output: c.definition, category: 'explain' });
    out.push({ instruction: `Give an everyday example of ${bare(c.name)}.`, input: '', output: c.example, category: 'example' });
    out.push({ instruction: `Describe ${c.name} with an analogy.`, input: '', output: c.analogy, category: 'analogy' });
  }
  for (const [text, label] of REVIEWS) out.push({ instruction: 'Classify the sentiment of this review as positive, negative or neutral.', input: text, output: label, category: 'classify' });
  for (const [en, fr, es] of TRANSLATIONS) {
    out.push({ instruction: 'Translate into French.', input: en, output: fr, category: 'translate' });
    out.push({ instruction: 'Translate into Spanish.', input: en, output: es, category: 'translate' });
  }
  for (const [country, city] of CAPITALS) out.push({ instruction: `What is the capital of ${country}?`, input: '', output: `The capital of ${country} is ${city}.`, category: 'fact' });
  const conv = uniqueBy(Array.from({ length: 80 }, () => conversions(r)), (x) => x.tempQ).slice(0, 30);
  for (const x of conv) out.push({ instruction: x.tempQ, input: '', output: x.tempA, category: 'convert' });
  for (const x of uniqueBy(Array.from({ length: 80 }, () => conversions(r)), (x) => x.kmQ).slice(0, 20)) out.push({ instruction: x.kmQ, input: '', output: x.kmA, category: 'convert' });
  for (const x of uniqueBy(Array.from({ length: 80 }, () => conversions(r)), (x) => x.date).slice(0, 25)) out.push({ instruction: 'Rewrite the date in ISO 8601 format (YYYY-MM-DD).', input: x.date, output: x.iso, category: 'format' });
  for (let i = 0; i < 20; i++) {
    const words = r.shuffle(WORDS).slice(0, r.int(4, 7));
    out.push({ instruction: 'Sort these words alphabetically.', input: words.join(', '), output: [...words].sort().join(', '), category: 'sort' });
  }
  for (const [text] of REVIEWS.slice(0, 15)) {
    const n = text.split(/\s+/).filter((w) => /\w/.test(w)).length;
    out.push({ instruction: 'How many words are in this sentence?', input: text, output: `${n} words.`, category: 'count' });
  }
  for (const p of uniqueBy(Array.from({ length: 60 }, () => purchase(r)), (x) => x.q).slice(0, 25)) out.push({ instruction: p.q, input: '', output: p.a, category: 'arithmetic' });
  return r.shuffle(out);
}

export function makeChat(r) {
  const out = [];
  const sys = () => (r.next() < 0.7 ? [{ role: 'system', content: r.pick(SYSTEM_PROMPTS) }] : []);
  for (const c of CONCEPTS) {
    out.push({ messages: [...sys(), { role: 'user', content: `What is ${c.name}?` }, { role: 'assistant', content: c.definition }, { role: 'user', content: 'Can you give me an example?' }, { role: 'assistant', content: c.example }], topic: 'explain' });
    out.push({ messages: [...sys(), { role: 'user', content: `I keep hearing about ${bare(c.name)}. Can you explain it simply?` }, { role: 'assistant', content: c.definition }, { role: 'user', content: 'Is there a simple way to picture it?' }, { role: 'assistant', content: c.analogy }], topic: 'explain' });
    out.push({ messages: [...sys(), { role: 'user', content: `Give me an example of ${bare(c.name)}.` }, { role: 'assistant', content: c.example }, { role: 'user', content: `Why does that count as ${bare(c.name)}?` }, { role: 'assistant', content: `Because ${c.definition.charAt(0).toLowerCase()}${c.definition.slice(1)}` }], topic: 'example' });
  }
  for (const x of uniqueBy(Array.from({ length: 100 }, () => conversions(r)), (x) => x.tempQ).slice(0, 40)) {
    const k = x.c + 273.15;
    out.push({ messages: [...sys(), { role: 'user', content: `It's ${x.c} °C outside. What is that in Fahrenheit?` }, { role: 'assistant', content: `${x.c} °C is ${fmt(x.f)} °F.` }, { role: 'user', content: 'And in kelvin?' }, { role: 'assistant', content: `${x.c} °C is ${k.toFixed(2)} K (add 273.15).` }], topic: 'convert' });
  }
  const caps = r.shuffle(CAPITALS);
  for (let i = 0; i + 1 < caps.length; i += 2) {
    const [[a, ca], [b, cb]] = [caps[i], caps[i + 1]];
    out.push({ messages: [{ role: 'user', content: `Quick quiz: what's the capital of ${a}?` }, { role: 'assistant', content: `${ca}.` }, { role: 'user', content: `And ${b}?` }, { role: 'assistant', content: `The capital of ${b} is ${cb}.` }], topic: 'fact' });
  }
  for (const [en, fr, es] of TRANSLATIONS) {
    out.push({ messages: [...sys(), { role: 'user', content: `How do I say "${en}" in French?` }, { role: 'assistant', content: `"${fr}"` }, { role: 'user', content: 'And in Spanish?' }, { role: 'assistant', content: `"${es}"` }], topic: 'translate' });
  }
  for (const p of uniqueBy(Array.from({ length: 80 }, () => purchase(r)), (x) => x.q).slice(0, 30)) {
    out.push({ messages: [...sys(), { role: 'user', content: p.q }, { role: 'assistant', content: p.a }, { role: 'user', content: 'What if they pay with a $50 note?' }, { role: 'assistant', content: p.total <= 50 ? `They get ${money(50 - p.total)} back in change.` : `A $50 note is not enough: they are ${money(p.total - 50)} short.` }], topic: 'arithmetic' });
  }
  return r.shuffle(out);
}

export function makeCompletion(r) {
  const out = [];
  for (const [country, city] of CAPITALS) out.push({ prompt: `Q: What is the capital of ${country}?\nA:`, completion: ` ${city}` });
  for (const [en, fr, es] of TRANSLATIONS) {
    out.push({ prompt: `English: ${en}\nFrench:`, completion: ` ${fr}` });
    out.push({ prompt: `English: ${en}\nSpanish:`, completion: ` ${es}` });
  }
  for (const [text, label] of REVIEWS) out.push({ prompt: `Review: ${text}\nSentiment:`, completion: ` ${label}` });
  for (const c of CONCEPTS) out.push({ prompt: `Term: ${bare(c.name)}\nDefinition:`, completion: ` ${c.definition}` });
  for (const x of uniqueBy(Array.from({ length: 120 }, () => conversions(r)), (x) => x.c).slice(0, 40)) out.push({ prompt: `${x.c} °C in Fahrenheit =`, completion: ` ${fmt(x.f)} °F` });
  const sums = new Set();
  while (sums.size < 60) sums.add(`${r.int(2, 99)} + ${r.int(2, 99)}`);
  for (const s of sums) {
    const [a, b] = s.split(' + ').map(Number);
    out.push({ prompt: `${s} =`, completion: ` ${a + b}` });
  }
  for (const x of uniqueBy(Array.from({ length: 80 }, () => conversions(r)), (x) => x.date).slice(0, 25)) out.push({ prompt: `Date: ${x.date}\nISO 8601:`, completion: ` ${x.iso}` });
  return r.shuffle(out);
}

export function makePreference(r) {
  const out = [];
  const VAGUE = ['It is a complicated topic that experts still argue about.', 'Hard to say in a few words; you should look it up.', 'It depends on a lot of things, really.'];
  for (let i = 0; i < CONCEPTS.length; i++) {
    const c = CONCEPTS[i];
    const other = CONCEPTS[(i + 7) % CONCEPTS.length];
    const prompt = `What is ${c.name}?`;
    const withSystem = (p) => (r.next() < 0.25 ? [{ role: 'system', content: r.pick(SYSTEM_PROMPTS) }, { role: 'user', content: p }] : p);
    out.push({ prompt: withSystem(prompt), chosen: c.definition, rejected: r.pick(VAGUE), reason: 'vague' });
    out.push({ prompt: withSystem(`Explain ${c.name} and give an example.`), chosen: `${c.definition} For example: ${c.example}`, rejected: other.definition, reason: 'off-topic' });
    out.push({ prompt: withSystem(`Describe ${c.name} in a way a child would understand.`), chosen: c.analogy, rejected: `${cap(bare(c.name))}.`, reason: 'too terse' });
  }
  for (const x of uniqueBy(Array.from({ length: 150 }, () => conversions(r)), (x) => x.tempQ).slice(0, 50)) {
    const wrong = x.c * 5 / 9 + 32;
    out.push({ prompt: x.tempQ, chosen: `${x.c} °C × 9/5 + 32 = ${fmt(x.f)} °F.`, rejected: `${x.c} °C is ${fmt(wrong)} °F.`, reason: 'wrong formula' });
  }
  const cities = CAPITALS.map(([, c]) => c);
  for (const [country, city] of CAPITALS) {
    const wrong = r.pick(cities.filter((c) => c !== city));
    out.push({ prompt: `What is the capital of ${country}?`, chosen: `The capital of ${country} is ${city}.`, rejected: `The capital of ${country} is ${wrong}.`, reason: 'wrong fact' });
  }
  for (const [en, fr, es] of TRANSLATIONS) out.push({ prompt: `Translate into French: "${en}"`, chosen: fr, rejected: es, reason: 'wrong language' });
  for (const p of uniqueBy(Array.from({ length: 80 }, () => purchase(r)), (x) => x.q).slice(0, 25)) {
    out.push({ prompt: p.q, chosen: p.a, rejected: `About ${money(Math.round(p.total + 3))}.`, reason: 'wrong arithmetic' });
  }
  return r.shuffle(out);
}

/** A small chat file with one example of almost every problem code (each line's `note` names it). */
export function problemLines() {
  const ok = (u, a, extra = {}) => JSON.stringify({ messages: [{ role: 'user', content: u }, { role: 'assistant', content: a }], ...extra });
  const PRIMARY = 'Earth has seasons because its axis is tilted by about 23.5 degrees. As it orbits the Sun, first one hemisphere and then the other leans towards the Sun, getting longer days and more direct sunlight, which makes summer; the hemisphere leaning away gets winter.';
  const long = 'Photosynthesis has two stages. '.repeat(80).trim();
  return [
    ok('What is the boiling point of water at sea level?', 'It is 100 °C, or 212 °F.', { note: 'a valid record' }),
    ok('Why do we have seasons?', PRIMARY),
    '{"messages": [{"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "4"}], "note": "json-parse: missing closing brace"',
    '["user", "What is the tallest mountain?", "assistant", "Mount Everest."]',
    JSON.stringify({ question: 'Who wrote Hamlet?', answer: 'William Shakespeare.', note: 'unknown-format' }),
    JSON.stringify({ instruction: 'Summarise the plot of Cinderella.', output: 'A mistreated young woman attends a royal ball and marries the prince.', note: 'mixed-format: an alpaca record in a chat file' }),
    JSON.stringify({ mesages: [{ role: 'user', content: 'How many legs does a spider have?' }, { role: 'assistant', content: 'Eight.' }], note: 'missing-field: misspelled key' }),
    JSON.stringify({ messages: [{ role: 'user', contnet: 'What is the speed of light?' }, { role: 'assistant', content: 'About 300,000 km per second.' }], note: 'missing-field: misspelled content' }),
    JSON.stringify({ messages: [{ role: 'user', content: 'How many days are in a leap year?' }, { role: 'assistant', content: 366 }], note: 'wrong-type: content is a number' }),
    JSON.stringify({ messages: [{ role: 'user', content: 'Describe the colour of the sky.' }, { role: 'assistant', content: '   ' }], note: 'empty-field' }),
    JSON.stringify({ messages: [{ role: 'human', content: 'What is the largest ocean?' }, { role: 'assistant', content: 'The Pacific Ocean.' }], note: 'bad-role: human' }),
    JSON.stringify({ messages: [{ role: 'user', content: 'Is a tomato a fruit?' }, { role: 'user', content: 'Botanically speaking?' }, { role: 'assistant', content: 'Yes, botanically a tomato is a fruit.' }], note: 'role-order: two user turns in a row' }),
    JSON.stringify({ messages: [{ role: 'assistant', content: 'Hello! How can I help?' }, { role: 'user', content: 'What is the capital of Peru?' }, { role: 'assistant', content: 'Lima.' }], note: 'role-order: assistant first' }),
    JSON.stringify({ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say something about volcanoes.' }], note: 'role-order: no assistant turn' }),
    ok('Why do we have seasons?', PRIMARY),
    ok('Why do we have SEASONS??', PRIMARY.replace('; the', '. The').replace(/,/g, ''), { note: 'near-duplicate of line 2 (only case and punctuation differ)' }),
    ok('Explain photosynthesis in detail.', long, { note: 'too-long: over 2048 byte-level tokens' }),
    ok('What is the chemical symbol for gold?', 'Au.  ', { note: 'trailing-whitespace' }),
    ok('What does CPU stand for?', 'Central\u0007 Processing Unit.', { note: 'control-chars: a BEL character' }),
    '',
    ok('How many continents are there?', 'Seven, in the most common convention.', { note: 'a valid record after a blank line' }),
  ];
}
