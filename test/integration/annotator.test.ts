// The pair annotator inside a real extension host: its actions are edits of exactly the touched line of the
// TextDocument, undo restores the text, and edits made elsewhere reach the annotator at once.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runBulk } from '../../src/host/annotator/bulkActions';
import type { HostToWebview } from '../../src/shared/protocol/annotator';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { closeAllEditors, workspaceFile } from './support/workspace';

const VIEW_TYPE = 'instructStudio.pairAnnotator';
const DISPATCH = 'instructStudio.annotator.dispatch';

const LINES = [
  '{"instruction": "Add 2 and 3.", "input": "", "output": "5", "meta": {"src": "gen", "n": [1, 2]}}',
  '{"id":"p1","prompt":"Capital of France?","chosen":"Lyon","rejected":"Paris"}',
  '{"prompt": "Pick a colour", "responses": ["red", "green", "blue"], "ranking": [0, 1, 2]}',
  '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}], "review": {"status": "rejected", "who": "ann"}}',
];
const ORIGINAL = `${LINES.join('\n')}\n`;

let files = 0;
async function freshFile(text = ORIGINAL): Promise<vscode.Uri> {
  const uri = workspaceFile(`scratch/annotator-${++files}.jsonl`);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  return uri;
}

function docOf(uri: vscode.Uri): vscode.TextDocument {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!doc) throw new Error(`${uri.toString()} is not open`);
  return doc;
}

/** Opens `uri` in the annotator and waits until its session answers. */
async function openAnnotator(uri: vscode.Uri): Promise<vscode.TextDocument> {
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  await waitFor(async () => (await dispatch(uri, { type: 'ready' })).length > 0 || undefined, 'the annotator session to start');
  return docOf(uri);
}

function dispatch(uri: vscode.Uri, message: unknown): Thenable<HostToWebview[]> {
  return vscode.commands.executeCommand<HostToWebview[]>(DISPATCH, uri, message);
}

function lastOf<T extends HostToWebview['type']>(messages: HostToWebview[], type: T): Extract<HostToWebview, { type: T }> | undefined {
  return messages.filter((m): m is Extract<HostToWebview, { type: T }> => m.type === type).pop();
}

/** The lines that differ between two texts, as 0-based indices. */
function changedLines(a: string, b: string): number[] {
  const x = a.split('\n');
  const y = b.split('\n');
  assert.equal(x.length, y.length, 'an action must not add or remove lines');
  return x.flatMap((l, i) => (l === y[i] ? [] : [i]));
}

describe('pair annotator', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.openAnnotator', 'the pair annotator (issue 8)');
    await extension().activate();
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
    await closeAllEditors();
  });

  it('accept edits only the touched line, exactly, and undo restores the text', async () => {
    const uri = await freshFile();
    const doc = await openAnnotator(uri);
    await dispatch(uri, { type: 'action', line: 0, action: { kind: 'status', status: 'accepted' } });
    const expected = LINES[0].slice(0, -1) + ', "review": {"status": "accepted"}}';
    assert.equal(doc.lineAt(0).text, expected);
    assert.deepEqual(changedLines(ORIGINAL, doc.getText()), [0]);
    assert.ok(doc.isDirty, 'the edit makes the document dirty, like any edit');

    await dispatch(uri, { type: 'action', line: 0, action: { kind: 'rate', rating: 4 } });
    assert.equal(doc.lineAt(0).text, LINES[0].slice(0, -1) + ', "review": {"status": "accepted", "rating": 4}}');

    await dispatch(uri, { type: 'undo' });
    await waitFor(() => (doc.lineAt(0).text === expected ? true : undefined), 'the first undo');
    await dispatch(uri, { type: 'undo' });
    await waitFor(() => (doc.getText() === ORIGINAL ? true : undefined), 'the original text after two undos');
    await dispatch(uri, { type: 'redo' });
    await waitFor(() => (doc.lineAt(0).text === expected ? true : undefined), 'redo');
  });

  it('swaps chosen and rejected in place and saves exactly that to disk', async () => {
    const uri = await freshFile();
    const doc = await openAnnotator(uri);
    await dispatch(uri, { type: 'action', line: 1, action: { kind: 'swap' } });
    assert.equal(doc.lineAt(1).text, '{"id":"p1","prompt":"Capital of France?","chosen":"Paris","rejected":"Lyon"}');
    assert.deepEqual(changedLines(ORIGINAL, doc.getText()), [1]);
    assert.ok(await doc.save());
    const onDisk = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    assert.equal(onDisk, ORIGINAL.replace('"chosen":"Lyon","rejected":"Paris"', '"chosen":"Paris","rejected":"Lyon"'));
  });

  it('reorders a ranking, edits a chat turn and clears a status, keeping unknown review keys', async () => {
    const uri = await freshFile();
    const doc = await openAnnotator(uri);
    await dispatch(uri, { type: 'action', line: 2, action: { kind: 'rank', ranking: [2, 0, 1] } });
    await dispatch(uri, { type: 'action', line: 3, action: { kind: 'setField', path: ['messages', 1, 'content'], value: 'Hello! "Nice"\nto meet you.' } });
    await dispatch(uri, { type: 'action', line: 3, action: { kind: 'status', status: null } });
    assert.equal(doc.lineAt(2).text, '{"prompt": "Pick a colour", "responses": ["red", "green", "blue"], "ranking": [2, 0, 1]}');
    assert.equal(doc.lineAt(3).text, '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello! \\"Nice\\"\\nto meet you."}], "review": {"who": "ann"}}');
    assert.deepEqual(changedLines(ORIGINAL, doc.getText()), [2, 3]);
  });

  it('shows an edit made in the text editor at once', async () => {
    const uri = await freshFile();
    const doc = await openAnnotator(uri);
    const edit = new vscode.WorkspaceEdit();
    const at = doc.lineAt(1).range.end.translate(0, -1);
    edit.insert(uri, at, ',"review":{"status":"accepted"}');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const rows = lastOf(await dispatch(uri, { type: 'getRows', start: 0, count: 10 }), 'rows');
    assert.deepEqual(rows?.rows.map((r) => r.status), ['unreviewed', 'accepted', 'unreviewed', 'rejected']);
    const state = lastOf(await dispatch(uri, { type: 'setFilter', filter: { status: 'accepted' } }), 'state');
    assert.equal(state?.count, 1);
    assert.deepEqual(state?.progress, { records: 4, reviewed: 2, accepted: 1, rejected: 1 });
    const record = lastOf(await dispatch(uri, { type: 'getRecord', position: 0 }), 'record');
    assert.equal(record?.view?.line, 1);
    assert.deepEqual(record?.view?.chosen?.map((f) => f.value), ['Lyon']);

    // A line inserted above shifts the records; the index follows.
    const insert = new vscode.WorkspaceEdit();
    insert.insert(uri, new vscode.Position(0, 0), '{"instruction": "new", "output": "x", "review": {"status": "accepted"}}\n');
    assert.ok(await vscode.workspace.applyEdit(insert));
    const after = lastOf(await dispatch(uri, { type: 'getRows', start: 0, count: 10 }), 'rows');
    assert.deepEqual(after?.rows.map((r) => r.line), [0, 2]);
  });

  it('refuses an action that does not fit, naming file, line and field, and changes nothing', async () => {
    const uri = await freshFile();
    const doc = await openAnnotator(uri);
    const replies = await dispatch(uri, { type: 'action', line: 0, action: { kind: 'setField', path: ['meta'], value: 'x' } });
    const notice = lastOf(replies, 'notice');
    assert.equal(notice?.level, 'error');
    assert.match(notice?.message ?? '', /annotator-\d+\.jsonl:1, field "meta": meta is not text/);
    const bad = lastOf(await dispatch(uri, { type: 'action', line: 0, action: { kind: 'rate', rating: 7 } }), 'notice');
    assert.match(bad?.message ?? '', /malformed field "action"/);
    assert.equal(doc.getText(), ORIGINAL);
    assert.ok(!doc.isDirty);
  });

  it('accepts all records of the filter in one undo step and exports the accepted ones', async () => {
    const uri = await freshFile();
    const doc = await openAnnotator(uri);
    const notes: string[] = [];
    await runBulk('acceptAll', doc, [0, 1, 2], (_l, m) => notes.push(m), { confirm: false });
    assert.deepEqual(changedLines(ORIGINAL, doc.getText()), [0, 1, 2]);
    assert.equal(doc.lineAt(1).text, '{"id":"p1","prompt":"Capital of France?","chosen":"Lyon","rejected":"Paris","review":{"status":"accepted"}}');
    const target = workspaceFile(`scratch/annotator-export-${files}.jsonl`);
    await runBulk('exportAccepted', doc, [0, 1, 2, 3], (_l, m) => notes.push(m), { target });
    const exported = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
    assert.equal(exported, `${[0, 1, 2].map((i) => doc.lineAt(i).text).join('\n')}\n`);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    await dispatch(uri, { type: 'undo' });
    await waitFor(() => (doc.getText() === ORIGINAL ? true : undefined), 'one undo to revert accept-all');
  });
});
