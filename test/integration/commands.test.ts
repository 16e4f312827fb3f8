import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { contributedCommands, extension, manifest, requireFeature } from './support/extension';
import { note } from './support/report';

/** Commands the dataset feature (issue 3) must contribute, with the titles users type in the palette. */
const REQUIRED = [
  { command: 'instructStudio.validateDataset', title: 'Instruct Studio: Validate Dataset' },
  { command: 'instructStudio.showDatasetStats', title: 'Instruct Studio: Show Dataset Statistics' },
];

const paletteTitle = (c: { title: string; category?: string }) => (c.category ? `${c.category}: ${c.title}` : c.title);

describe('commands', () => {
  before(async () => {
    await extension().activate();
  });

  it('registers every command the manifest contributes', async function () {
    const contributed = contributedCommands();
    if (contributed.length === 0) {
      note('skipped: package.json contributes no commands yet');
      this.skip();
    }
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, [], 'contributed but not registered on activation');
  });

  it('puts every contributed command under the "Instruct Studio:" palette prefix', function () {
    const contributed = contributedCommands();
    if (contributed.length === 0) this.skip();
    const stray = contributed.filter((c) => !paletteTitle(c).startsWith('Instruct Studio: ')).map(paletteTitle);
    assert.deepEqual(stray, []);
  });

  it('refers only to contributed commands from its menus', function () {
    const menus = manifest().contributes?.menus ?? {};
    const known = new Set(contributedCommands().map((c) => c.command));
    const dangling = Object.entries(menus).flatMap(([menu, items]) =>
      items.filter((i) => i.command && !known.has(i.command)).map((i) => `${menu}: ${i.command}`),
    );
    assert.deepEqual(dangling, []);
  });

  for (const required of REQUIRED) {
    it(`contributes "${required.title}"`, function () {
      requireFeature(this, required.command, 'the dataset commands (issue 3)');
      const c = contributedCommands().find((x) => x.command === required.command);
      assert.ok(c, `package.json contributes ${required.command}`);
      assert.equal(paletteTitle(c), required.title);
    });
  }
});
