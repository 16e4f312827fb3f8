import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECK_TYPES, runChecks, type Check } from '../../../src/core/metrics/checks';

/** Strict outcome of a single check. */
const passes = (response: string, check: Check): boolean => runChecks(response, [check]).checks[0].strict;

// For every type: responses that must pass and responses that must fail, strictly.
const CASES: Record<string, { check: Check; pass: string[]; fail: string[] }> = {
  max_words: { check: { type: 'max_words', n: 3 }, pass: ['one two three', "it's ok"], fail: ['one two three four', 'a-b-c-d'] },
  min_words: { check: { type: 'min_words', n: 3 }, pass: ['one two three', 'día año ñandú'], fail: ['one two', '... !!! ???'] },
  max_chars: { check: { type: 'max_chars', n: 5 }, pass: ['abcde', '🎉🎉🎉🎉🎉'], fail: ['abcdef'] },
  max_sentences: { check: { type: 'max_sentences', n: 2 }, pass: ['Dr. Smith arrived. He left.', 'It cost 3.5 dollars. Fine!'], fail: ['One. Two. Three.', 'Why? Because! Yes.'] },
  min_sentences: { check: { type: 'min_sentences', n: 3 }, pass: ['One. Two. Three.', 'Wait... what? Really!'], fail: ['Mr. and Mrs. Smith went to Washington D.C. today.', 'Only one'] },
  contains: { check: { type: 'contains', text: 'Paris' }, pass: ['I love paris', 'PARIS!'], fail: ['I love Lyon'] },
  not_contains: { check: { type: 'not_contains', text: 'sorry' }, pass: ['Here you go'], fail: ['Sorry, no', 'I am SORRY'] },
  starts_with: { check: { type: 'starts_with', text: 'Dear John' }, pass: ['  dear john, hello', 'Dear John'], fail: ['Hello. Dear John'] },
  ends_with: { check: { type: 'ends_with', text: 'Is there anything else?' }, pass: ['Done. Is there anything else?  ', '"Done. is there anything else?"'], fail: ['Is there anything else? Bye'] },
  json: { check: { type: 'json' }, pass: ['{"a": [1, 2]}', '```json\n{"a": 1}\n```', '  [1, 2]  '], fail: ['{a: 1}', 'Here: {"a": 1}'] },
  lowercase: { check: { type: 'lowercase' }, pass: ['all lower, 123 ok', 'ça va'], fail: ['Not lower', 'ÇA'] },
  uppercase: { check: { type: 'uppercase' }, pass: ['ALL CAPS 123', 'ÉTÉ'], fail: ['ALL CAPs'] },
  no_comma: { check: { type: 'no_comma' }, pass: ['No commas here.'], fail: ['One, two'] },
  bullet_count: { check: { type: 'bullet_count', n: 2 }, pass: ['Intro\n* one\n* two', '- a\n  - b\n**bold** line'], fail: ['* one', '* a\n- b\n* c', '**not a bullet**\n**nor this**'] },
  paragraph_count: { check: { type: 'paragraph_count', n: 2 }, pass: ['First.\n\nSecond.', 'First\n***\nSecond', '***\nFirst\n***\nSecond\n***'], fail: ['Only one.', 'A\n***\n***\nB', 'A\n\nB\n\nC'] },
  keyword_frequency: { check: { type: 'keyword_frequency', keyword: 'cat', n: 2 }, pass: ['Cat and cat', 'cat cat cat'], fail: ['cat and catalog', 'dog'] },
  placeholder_count: { check: { type: 'placeholder_count', n: 2 }, pass: ['Dear [name], at [address]'], fail: ['Dear [name]', 'no placeholders'] },
  title: { check: { type: 'title' }, pass: ['<<My Poem>>\nRoses are red', 'x <<T>> y'], fail: ['<< >>\nno title', '<<broken\ntitle>>', 'My Poem'] },
  quotation: { check: { type: 'quotation' }, pass: ['"All of it quoted."', '  "x"  '], fail: ['"Half quoted', '"', 'No quotes'] },
  language_ascii: { check: { type: 'language_ascii' }, pass: ['Plain ASCII text ~!'], fail: ['café', 'emoji 🎉'] },
  regex: { check: { type: 'regex', pattern: '^\\d{3}-\\d{4}$' }, pass: ['555-1234'], fail: ['555-12345', 'call 555-1234'] },
};

test('there are at least 15 check types and every one has positive and negative cases here', () => {
  assert.ok(CHECK_TYPES.length >= 15, `${CHECK_TYPES.length} types`);
  assert.deepEqual([...CHECK_TYPES].sort(), Object.keys(CASES).sort());
});

for (const [type, c] of Object.entries(CASES)) {
  test(`${type}: passes and fails as specified`, () => {
    for (const r of c.pass) assert.equal(passes(r, c.check), true, `${type} should pass ${JSON.stringify(r)}`);
    for (const r of c.fail) assert.equal(passes(r, c.check), false, `${type} should fail ${JSON.stringify(r)}`);
  });
}

test('optional parameters change the outcome', () => {
  assert.equal(passes('I love paris', { type: 'contains', text: 'Paris', case_sensitive: true }), false);
  assert.equal(passes('I love Paris', { type: 'contains', text: 'Paris', case_sensitive: true }), true);
  assert.equal(passes('Sorry', { type: 'not_contains', text: 'sorry', case_sensitive: true }), true);
  assert.equal(passes('cat cat cat', { type: 'keyword_frequency', keyword: 'cat', n: 2, relation: 'at_most' }), false);
  assert.equal(passes('cat cat', { type: 'keyword_frequency', keyword: 'cat', n: 2, relation: 'exactly' }), true);
  assert.equal(passes('cat', { type: 'keyword_frequency', keyword: 'cat', n: 2, relation: 'at_most' }), true);
  // blank-line paragraphs are not split when *** is demanded
  assert.equal(passes('A\n\nB', { type: 'paragraph_count', n: 2, separator: '***' }), false);
  assert.equal(passes('A *** B\n\nC', { type: 'paragraph_count', n: 3, separator: 'blank_line' }), false);
  assert.equal(passes('A *** B\n\nC', { type: 'paragraph_count', n: 2, separator: 'blank_line' }), true);
  assert.equal(passes('HELLO', { type: 'regex', pattern: 'hello', flags: 'i' }), true);
});

test('an empty or blank response follows no instruction, even an upper bound', () => {
  const r = runChecks('   ', [{ type: 'max_words', n: 5 }, { type: 'no_comma' }]);
  assert.deepEqual(r.checks.map((c) => [c.strict, c.loose]), [[false, false], [false, false]]);
  assert.equal(r.prompt_strict, false);
});
