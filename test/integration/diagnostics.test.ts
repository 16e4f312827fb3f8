import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cliValidateOrSkip } from './support/cli';
import { codeOf, find, hasCode, lineCodes, ours, waitForDiagnostics } from './support/diagnostics';
import { extension, requireFeature } from './support/extension';
import { closeAllEditors, openInEditor, scratchCopy, workspaceFile } from './support/workspace';
import { note } from './support/report';

/** What the spec of issue 3 says each fixture line must produce (1-based line → code). */
const ALPACA_EXPECTED: [number, string][] = [
  [3, 'duplicate'],
  [4, 'missing-field'],
  [5, 'empty-field'],
  [6, 'trailing-whitespace'],
  [7, 'json-parse'],
  [8, 'wrong-type'],
  [9, 'not-object'],
];
const ALPACA_CLEAN_LINES = [1, 2, 10];

/**
 * Samples that are not problem samples but do not validate cleanly, each with the reason. Every entry is a known
 * defect reported to the lead, printed on every run; remove it once fixed.
 */
const KNOWN_UNCLEAN: Record<string, string> = {
  'preference-ranking.jsonl':
    'the annotator\'s ranking records (prompt + responses + ranking) are no format the validator knows: missing chosen/rejected errors',
};

const severityOf: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

describe('dataset diagnostics', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.validateDataset', 'dataset diagnostics (issue 3)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('reports each problem of a bad alpaca file on its line with its code', async () => {
    const uri = workspaceFile('fixtures/alpaca-problems.jsonl');
    await openInEditor(uri);
    const diagnostics = await waitForDiagnostics(uri, (ds) => ALPACA_EXPECTED.every(([l, c]) => hasCode(ds, l, c)), 'the expected problems');
    for (const line of ALPACA_CLEAN_LINES) {
      assert.deepEqual(diagnostics.filter((d) => d.range.start.line + 1 === line).map(codeOf), [], `line ${line} is a valid record`);
    }
    assert.ok(diagnostics.every((d) => d.range.start.line === d.range.end.line), 'a problem stays on its own line');
    assert.match(find(diagnostics, 3, 'duplicate').message, /\b1\b/, 'the duplicate names the first line');
  });

  it('ranges point at the offending key or value', async () => {
    const uri = workspaceFile('fixtures/alpaca-problems.jsonl');
    const doc = (await openInEditor(uri)).document;
    const diagnostics = await waitForDiagnostics(uri, (ds) => hasCode(ds, 4, 'missing-field') && hasCode(ds, 6, 'trailing-whitespace'), 'key problems');
    assert.equal(doc.getText(find(diagnostics, 4, 'missing-field').range), '"instrution"');
    assert.equal(doc.getText(find(diagnostics, 6, 'trailing-whitespace').range), '"Give the square of 7. "');

    const chat = workspaceFile('fixtures/chat-problems.jsonl');
    const chatDoc = (await openInEditor(chat)).document;
    const chatDiagnostics = await waitForDiagnostics(chat, (ds) => hasCode(ds, 1, 'bad-role'), 'a bad role');
    assert.equal(chatDoc.getText(find(chatDiagnostics, 1, 'bad-role').range), '"asistant"');
  });

  it('reports role order in chat data and identical pairs in preference data', async () => {
    const chat = workspaceFile('fixtures/chat-problems.jsonl');
    await openInEditor(chat);
    const chatDiagnostics = await waitForDiagnostics(chat, (ds) => hasCode(ds, 3, 'role-order'), 'a role-order problem');
    assert.deepEqual(chatDiagnostics.filter((d) => d.range.start.line === 1).map(codeOf), [], 'line 2 is a valid conversation');

    const pref = workspaceFile('fixtures/preference-problems.jsonl');
    await openInEditor(pref);
    const prefDiagnostics = await waitForDiagnostics(pref, (ds) => hasCode(ds, 1, 'identical-pair'), 'an identical pair');
    assert.deepEqual(lineCodes(prefDiagnostics).filter((lc) => lc.startsWith('2:')), []);
  });

  it('agrees with the CLI on every problem: line, column, severity, code', async function () {
    for (const rel of ['fixtures/alpaca-problems.jsonl', 'fixtures/chat-problems.jsonl', 'fixtures/preference-problems.jsonl']) {
      const uri = workspaceFile(rel);
      await openInEditor(uri);
      const cli = cliValidateOrSkip(this, uri.fsPath);
      assert.ok(cli.problems.length > 0, `the CLI finds problems in ${rel}`);
      const diagnostics = await waitForDiagnostics(uri, (ds) => ds.length === cli.problems.length, `${cli.problems.length} problems in ${rel}`);
      // The CLI's JSON has no end column (issue 3's schema); ranges are checked against the text above.
      const key = (line: number, column: number, severity: vscode.DiagnosticSeverity, code: string | undefined) =>
        `${line}:${column} ${vscode.DiagnosticSeverity[severity]} ${code}`;
      const fromEditor = diagnostics.map((d) => key(d.range.start.line + 1, d.range.start.character + 1, d.severity, codeOf(d))).sort();
      const fromCli = cli.problems.map((p) => key(p.line, p.column, severityOf[p.severity], p.code)).sort();
      assert.deepEqual(fromEditor, fromCli, rel);
      for (const p of cli.problems) {
        const d = find(diagnostics, p.line, p.code);
        assert.equal(d.message, p.message, `the same message for ${p.code} on line ${p.line}`);
      }
    }
  });

  it('updates as the user types, before saving', async () => {
    const uri = await scratchCopy('fixtures/preference-problems.jsonl');
    const editor = await openInEditor(uri);
    await waitForDiagnostics(uri, (ds) => hasCode(ds, 1, 'identical-pair'), 'the initial problem');
    const line2 = editor.document.lineAt(1).text;
    await editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount, 0), `${line2}\n`));
    assert.equal(editor.document.isDirty, true);
    const after = await waitForDiagnostics(uri, (ds) => hasCode(ds, 3, 'duplicate'), 'a duplicate on the typed line');
    assert.ok(hasCode(after, 1, 'identical-pair'), 'the earlier problem is still reported');
    await editor.edit((e) => e.delete(new vscode.Range(1, 0, 2, 0)));
    await waitForDiagnostics(uri, (ds) => !ds.some((d) => codeOf(d) === 'duplicate'), 'the duplicate to go away once the first copy is deleted');
    assert.ok(ours(uri).every((d) => d.source === 'instruct-studio'));
  });

  it('"Instruct Studio: Validate Dataset" validates the active file', async () => {
    const uri = await scratchCopy('fixtures/alpaca-problems.jsonl');
    await openInEditor(uri);
    await vscode.commands.executeCommand('instructStudio.validateDataset');
    await waitForDiagnostics(uri, (ds) => ALPACA_EXPECTED.every(([l, c]) => hasCode(ds, l, c)), 'the problems after the command');
  });

  it('leaves the valid bundled samples without errors', async function () {
    const samples = await vscode.workspace.findFiles('*.jsonl');
    const clean = samples.filter((u) => !/problem|bad|invalid/i.test(u.path));
    if (clean.length === 0) {
      note('skipped: media/samples holds no clean .jsonl sample yet');
      this.skip();
    }
    for (const uri of clean) {
      const name = uri.path.split('/').pop()!;
      await openInEditor(uri);
      const cli = cliValidateOrSkip(this, uri.fsPath);
      const errors = cli.problems.filter((p) => p.severity === 'error');
      if (name in KNOWN_UNCLEAN) {
        if (errors.length > 0) {
          note(`not checked: ${name}: ${KNOWN_UNCLEAN[name]}`);
          continue;
        }
        note(`${name} validates cleanly now: remove it from KNOWN_UNCLEAN`);
      }
      assert.deepEqual(errors.map((p) => `${p.line}:${p.code}`), [], `${name} is meant to be clean`);
      await waitForDiagnostics(uri, (ds) => ds.length === cli.problems.length, `${cli.problems.length} problems in ${name}`);
      assert.equal(ours(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length, 0);
    }
  });
});
