// The packaged extension is installed and known to the workbench, and opening a dataset raises no error.
import * as assert from 'node:assert/strict';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'the .vsix is installed and a dataset opens cleanly',
  async run(wb) {
    await wb.runCommand('View: Show Extensions');
    const entry = wb.page.locator('.extensions-viewlet .monaco-list-row').filter({ hasText: 'Instruct Studio' }).first();
    await entry.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await entry.innerText(), /Instruct Studio/);
    await wb.quickOpen('alpaca-problems.jsonl');
  },
});
