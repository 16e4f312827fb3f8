// The validator's problems inside the pair annotator: a record's problems show inline, the problem filter lists
// only the records that have that problem.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'validator problems show inline in the pair annotator and filter its list',
  requires: ['instructStudio.openAnnotator', 'instructStudio.validateDataset'],
  async run(wb) {
    await wb.quickOpen('preference-problems.jsonl');
    await wb.runCommand('Instruct Studio: Open in Pair Annotator');
    const view = wb.webview();
    await view.locator('#list .row .snippet').first().waitFor({ state: 'visible', timeout: 30_000 });
    // The first record's chosen and rejected are identical: the validator says so on that record.
    await view.locator('#detail .problems li').filter({ hasText: 'identical-pair' }).waitFor({ timeout: 60_000 });

    // The problem filter by keyboard: its options are "Any or no problem", "With any problem", then each code.
    await view.locator('#f-problem').click();
    await wb.page.keyboard.press('ArrowDown');
    await wb.page.keyboard.press('ArrowDown');
    await wb.page.keyboard.press('Enter');
    await view.locator('.progress').filter({ hasText: '1 shown' }).waitFor({ timeout: 15_000 });
    assert.equal(await view.locator('#list .row').count(), 1);
    await wb.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'e2e', 'annotator-problems.png') });
  },
});
