import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extension, requireFeature } from './support/extension';
import { waitFor } from './support/waitFor';
import { closeAllEditors, workspaceFile } from './support/workspace';
import type { SynthLine } from '../../src/shared/protocol/synth';

describe('Generate Instructions from Seed Tasks', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.generateFromSeedTasks', 'Generate Instructions from Seed Tasks (issue 11)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('runs synth in a child process, writes a new file beside the seeds and opens it in the pair annotator', async function () {
    this.timeout(180_000);
    const dir = workspaceFile('scratch/synth-it').fsPath;
    mkdirSync(dir, { recursive: true });
    const seeds = join(dir, 'seeds.jsonl');
    writeFileSync(seeds, [
      { instruction: 'Reverse the word.', input: 'lantern', output: 'nretnal' },
      { instruction: 'What is the capital of Peru?', input: '', output: 'Lima.' },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    // A tiny model that learned to write one task (test/fixtures/synth/makeMemorizedModel.ts): the first is kept,
    // its repeats are dropped as near-duplicates.
    const model = join(extension().extensionPath, 'test', 'fixtures', 'synth', 'memorized-model');
    const done = await vscode.commands.executeCommand<Extract<SynthLine, { type: 'done' }> | undefined>(
      'instructStudio.generateFromSeedTasks', vscode.Uri.file(seeds), undefined,
      { n: 2, model, seed: 1, maxProposals: 4, maxNewTokens: 80, maxTokens: 512 },
    );
    assert.ok(done, 'the command reports what the child did');
    assert.equal(done.out, join(dir, 'seeds.synth.jsonl'));
    assert.equal(done.proposals, 4);
    assert.ok(done.kept >= 1 && done.dropped['near-duplicate-generated'] >= 1, JSON.stringify(done.dropped));
    const records = readFileSync(done.out!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { source: string });
    assert.equal(records.length, done.kept);
    assert.ok(records.every((r) => r.source === 'synth'));
    assert.equal(readFileSync(seeds, 'utf8').split('\n').length, 3, 'the seed file is untouched');
    await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) =>
      t.input instanceof vscode.TabInputCustom && t.input.viewType === 'instructStudio.pairAnnotator' && t.input.uri.fsPath === done.out), 'the new file in the pair annotator');
  });
});
