import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regexProblem, runChecks, splitIntoSentences, validateChecks } from '../../../src/core/metrics/checks';

test('valid checks give no problems', () => {
  assert.deepEqual(validateChecks([{ type: 'max_words', n: 50 }, { type: 'contains', text: 'x' }, { type: 'json' }, { type: 'regex', pattern: '^a.*b$', flags: 'is' }]), []);
});

test('each problem names the check index and the field', () => {
  const problems = validateChecks([
    { type: 'max_words', n: 50 },
    { type: 'max_wrods', n: 5 },
    { type: 'max_words', n: 'fifty' },
    { type: 'contains' },
    { type: 'bullet_count', n: -1 },
    { type: 'json', strict: true },
    { type: 'keyword_frequency', keyword: 'a', n: 1, relation: 'more' },
    'lowercase',
    { n: 3 },
    { type: 'contains', text: '   ' },
  ]);
  assert.deepEqual(problems.map((p) => [p.index, p.field]), [
    [1, 'checks[1].type'],
    [2, 'checks[2].n'],
    [3, 'checks[3].text'],
    [4, 'checks[4].n'],
    [5, 'checks[5].strict'],
    [6, 'checks[6].relation'],
    [7, 'checks[7]'],
    [8, 'checks[8].type'],
    [9, 'checks[9].text'],
  ]);
  assert.match(problems[0].message, /^checks\[1\]\.type: unknown check type "max_wrods" \(known: .*max_words/);
  assert.match(problems[1].message, /^checks\[2\]\.n: must be an integer, got "fifty"$/);
  assert.match(problems[2].message, /missing \(required by "contains"\)/);
  assert.match(problems[3].message, /must be at least 0, got -1/);
  assert.match(problems[4].message, /"json" has no parameter "strict" \(it takes none\)/);
});

test('checks that are not an array are one problem on the whole field', () => {
  assert.deepEqual(validateChecks({ type: 'json' }), [{ index: -1, field: 'checks', message: 'checks: must be an array of {"type": ...} objects' }]);
});

test('runChecks refuses invalid checks with the same messages', () => {
  assert.throws(() => runChecks('x', [{ type: 'no_comma' }, { type: 'max_words' }]), /checks\[1\]\.n: missing/);
});

test('regex patterns: invalid, catastrophic, backreferences and long ones are rejected, ordinary ones pass', () => {
  assert.equal(regexProblem('^\\w+ (foo|bar)?\\d{2,4}[a-z]*$'), null);
  assert.equal(regexProblem('(?:ab)+c(?<year>\\d{4})'), null);
  assert.match(regexProblem('(a+)+$')?.message ?? '', /nested quantifier/);
  assert.match(regexProblem('(?:\\w*\\s?)*x')?.message ?? '', /nested quantifier/);
  assert.match(regexProblem('((ab)*c)+')?.message ?? '', /nested quantifier/);
  assert.match(regexProblem('(a|b+){2,}')?.message ?? '', /nested quantifier/);
  assert.match(regexProblem('(a)\\1')?.message ?? '', /backreferences/);
  assert.match(regexProblem('(?<x>a)\\k<x>')?.message ?? '', /backreferences/);
  assert.match(regexProblem('a'.repeat(201))?.message ?? '', /longer than 200/);
  assert.match(regexProblem('(unclosed')?.message ?? '', /not a valid regular expression/);
  assert.deepEqual(regexProblem('x', 'g'), { field: 'flags', message: 'unsupported flag "g" (allowed: i, m, s, u)' });
  // A quantifier that cannot repeat (?, {1}) over a quantified group is fine; so is a quantified class.
  assert.equal(regexProblem('(a+)?b(c*){1}[xy]+'), null);
  const problems = validateChecks([{ type: 'regex', pattern: '(x+)*y' }]);
  assert.equal(problems[0].field, 'checks[0].pattern');
});

test('sentence splitting follows IFEval: abbreviations, decimals, ellipses, acronyms', () => {
  assert.deepEqual(splitIntoSentences('Dr. Smith paid 3.5 dollars. He left... Then? Yes!'), ['Dr. Smith paid 3.5 dollars.', 'He left...', 'Then?', 'Yes!']);
  assert.deepEqual(splitIntoSentences('Visit example.com today. It works'), ['Visit example.com today.', 'It works']);
  assert.deepEqual(splitIntoSentences('I live in the U.S. He does not.'), ['I live in the U.S.', 'He does not.']);
  assert.deepEqual(splitIntoSentences(''), []);
});
