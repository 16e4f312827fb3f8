import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, find, hasCode, waitForDiagnostics } from './support/diagnostics';
import { extension, requireFeature } from './support/extension';
import { applyQuickFix, quickFixesAt } from './support/quickFix';
import { closeAllEditors, openInEditor, scratchCopy } from './support/workspace';

const lines = (doc: vscode.TextDocument) => doc.getText().split(/\r?\n/);

/**
 * Applies the quick fix for `code` on `line` (1-based) of a fresh copy of `fixture` and checks that exactly that
 * line changed, to `expected` (undefined: the line was removed).
 */
async function fixOneLine(fixture: string, line: number, code: string, expected: (before: string) => string | undefined) {
  const uri = await scratchCopy(fixture);
  const doc = (await openInEditor(uri)).document;
  const diagnostics = await waitForDiagnostics(uri, (ds) => hasCode(ds, line, code), `${code} on line ${line}`);
  const before = lines(doc);
  const fix = await applyQuickFix(uri, find(diagnostics, line, code));
  const after = lines(doc);
  const want = [...before];
  const replacement = expected(before[line - 1]);
  if (replacement === undefined) want.splice(line - 1, 1);
  else want[line - 1] = replacement;
  assert.deepEqual(after, want, `"${fix.title}" changes line ${line} only`);
  return { uri, doc, fix };
}

describe('quick fixes', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.validateDataset', 'dataset quick fixes (issue 3)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('removes a duplicate record line', async () => {
    const { uri } = await fixOneLine('fixtures/alpaca-problems.jsonl', 3, 'duplicate', () => undefined);
    // The former line 4 (misspelled key) moved up and is still reported, on its new line.
    await waitForDiagnostics(uri, (ds) => !ds.some((d) => codeOf(d) === 'duplicate') && hasCode(ds, 3, 'missing-field'), 'the duplicate gone');
  });

  it('renames a misspelled key, and the missing-field problem goes away', async () => {
    const { uri } = await fixOneLine('fixtures/alpaca-problems.jsonl', 4, 'missing-field', (l) => l.replace('"instrution"', '"instruction"'));
    await waitForDiagnostics(uri, (ds) => !hasCode(ds, 4, 'missing-field'), 'no missing field on line 4');
  });

  it('trims whitespace at the end of a string value', async () => {
    await fixOneLine('fixtures/alpaca-problems.jsonl', 6, 'trailing-whitespace', (l) => l.replace('"Give the square of 7. "', '"Give the square of 7."'));
  });

  it('fixes a misspelled role to the nearest valid one', async () => {
    const { uri } = await fixOneLine('fixtures/chat-problems.jsonl', 1, 'bad-role', (l) => l.replace('"asistant"', '"assistant"'));
    await waitForDiagnostics(uri, (ds) => !hasCode(ds, 1, 'bad-role'), 'no bad role on line 1');
  });

  it('offers no edit where the fix is not obvious (broken JSON)', async () => {
    const uri = await scratchCopy('fixtures/alpaca-problems.jsonl');
    await openInEditor(uri);
    const diagnostics = await waitForDiagnostics(uri, (ds) => hasCode(ds, 7, 'json-parse'), 'json-parse on line 7');
    const fixes = await quickFixesAt(uri, find(diagnostics, 7, 'json-parse'));
    assert.deepEqual(fixes.map((f) => f.title), []);
  });
});
