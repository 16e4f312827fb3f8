import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, find, hasCode, lineCodes, ours, waitForDiagnostics } from './support/diagnostics';
import { configurationProperties, extension, requireFeature } from './support/extension';
import { resetDatasetSettings, setDatasetSetting } from './support/settings';
import { closeAllEditors, openInEditor, workspaceFile } from './support/workspace';

const SETTINGS = ['maxTokens', 'nearDuplicateThreshold', 'nearDuplicates'];

describe('dataset settings', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.validateDataset', 'dataset settings (issue 3)');
    await extension().activate();
  });
  afterEach(async () => {
    await resetDatasetSettings(...SETTINGS);
    await closeAllEditors();
  });

  it('declares the settings in the manifest', () => {
    const props = configurationProperties();
    for (const key of SETTINGS) assert.ok(`instructStudio.dataset.${key}` in props, `instructStudio.dataset.${key} is contributed`);
  });

  it('instructStudio.dataset.maxTokens: too-long appears under a small budget and goes with a large one', async () => {
    const uri = workspaceFile('fixtures/long-record.jsonl');
    await openInEditor(uri);
    await setDatasetSetting('maxTokens', 100000);
    await waitForDiagnostics(uri, (ds) => ds.length === 0, 'no problem under a budget of 100000');

    await setDatasetSetting('maxTokens', 100);
    const small = await waitForDiagnostics(uri, (ds) => hasCode(ds, 1, 'too-long'), 'too-long on line 1 under a budget of 100');
    assert.deepEqual(lineCodes(small), ['1:too-long'], 'only the long record is over budget');
    assert.match(find(small, 1, 'too-long').message, /\b100\b/, 'the message names the budget');

    await setDatasetSetting('maxTokens', 5000);
    await waitForDiagnostics(uri, (ds) => !ds.some((d) => codeOf(d) === 'too-long'), 'too-long gone under a budget of 5000');
  });

  it('instructStudio.dataset.nearDuplicates and nearDuplicateThreshold drive near-duplicate detection', async () => {
    const uri = workspaceFile('fixtures/near-duplicates.jsonl');
    await openInEditor(uri);
    await setDatasetSetting('nearDuplicateThreshold', 0.8);
    const loose = await waitForDiagnostics(uri, (ds) => hasCode(ds, 3, 'near-duplicate') && hasCode(ds, 5, 'near-duplicate'), 'two near-duplicates at 0.8');
    assert.match(find(loose, 3, 'near-duplicate').message, /\b1\b/, 'names the similar line');

    // Line 5 differs from line 4 by two words (~0.9 similar); line 3 only by case and punctuation.
    await setDatasetSetting('nearDuplicateThreshold', 0.99);
    await waitForDiagnostics(uri, (ds) => hasCode(ds, 3, 'near-duplicate') && !hasCode(ds, 5, 'near-duplicate'), 'only the normalised copy at 0.99');

    await setDatasetSetting('nearDuplicates', false);
    await waitForDiagnostics(uri, (ds) => !ds.some((d) => codeOf(d) === 'near-duplicate'), 'no near-duplicates when turned off');
    assert.equal(ours(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length, 0);
  });
});
