import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extension, requireFeature } from './support/extension';
import { closeAllEditors, workspaceFile } from './support/workspace';

describe('Export Run for a Cluster', () => {
  before(async function () {
    requireFeature(this, 'instructStudio.exportRunForCluster', 'Export Run for a Cluster (issue 10)');
    await extension().activate();
  });
  afterEach(closeAllEditors);

  it('is in the palette and the Runs view menu', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('instructStudio.exportRunForCluster'));
    const menus = (extension().packageJSON as { contributes: { menus: Record<string, Array<{ command: string; when?: string }>> } }).contributes.menus;
    assert.ok(menus['view/item/context'].some((m) => m.command === 'instructStudio.exportRunForCluster' && /instructStudio\.runs/.test(m.when ?? '')));
    assert.ok(!menus.commandPalette.some((m) => m.command === 'instructStudio.exportRunForCluster' && m.when === 'false'));
  });

  it('exports a run folder as an Axolotl config whose dataset file exists, and opens the README', async () => {
    const dir = workspaceFile('scratch/export-it').fsPath;
    const run = join(dir, 'run');
    mkdirSync(join(run, 'checkpoint'), { recursive: true });
    writeFileSync(join(run, 'run.json'), JSON.stringify({
      status: 'finished', dataset: workspaceFile('alpaca.jsonl').fsPath, eval: null, model: 'tiny', total_steps: 50,
      config: { contextLength: 128, packing: true, batchSize: 4, gradAccum: 1, steps: 50, lr: 0.002, minLr: 0.0002, warmupSteps: 5, seed: 3 },
    }));
    const out = join(dir, 'exported');
    const written = await vscode.commands.executeCommand<string>('instructStudio.exportRunForCluster', vscode.Uri.file(run), { to: 'axolotl', out, baseModel: 'HuggingFaceTB/SmolLM2-135M' });
    assert.equal(written, out);
    const yml = readFileSync(join(out, 'axolotl.yml'), 'utf8');
    assert.match(yml, /^base_model: HuggingFaceTB\/SmolLM2-135M$/m);
    assert.match(yml, /^ {4}type: alpaca$/m);
    assert.match(yml, /^max_steps: 50$/m);
    assert.ok(existsSync(join(out, 'data', 'train.jsonl')));
    assert.ok(existsSync(join(out, 'README.md')));
  });
});
