// The pair annotator as a user meets it: open a preference file in it, swap a pair with the keyboard, save,
// and find exactly that change in the file on disk. Screenshots of the annotator and its help overlay.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario } from '../harness/scenario';

const FILE = 'annotator-e2e.jsonl';
const LINES = [
  '{"id": 1, "prompt": "Capital of France?", "chosen": "Lyon", "rejected": "Paris", "task": "geography"}',
  '{"id": 2, "prompt": "2 + 2?", "chosen": "4", "rejected": "5", "task": "arithmetic"}',
  '{"id": 3, "prompt": "Opposite of hot?", "chosen": "cold", "rejected": "warm"}',
];

export default scenario({
  title: 'swap a preference pair in the pair annotator with the keyboard and save it',
  requires: ['instructStudio.openAnnotator'],
  async run(wb) {
    const path = wb.workspaceFile(FILE);
    writeFileSync(path, `${LINES.join('\n')}\n`);
    // Quick Open by absolute path: a file written a moment ago may not be in the workbench's file index yet.
    await wb.openByPath(path);
    await wb.runCommand('Instruct Studio: Open in Pair Annotator');

    const view = wb.webview();
    const rows = view.locator('#list .row');
    await rows.nth(2).locator('.snippet').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await rows.count(), 3);
    await view.locator('#detail .side.chosen .text').filter({ hasText: 'Lyon' }).waitFor({ timeout: 15_000 });
    assert.match(await view.locator('.progress').innerText(), /0 \/ 3 reviewed/);

    // Keyboard only from here: clicking the first row puts focus on the list; s swaps, j moves, a accepts.
    await rows.first().click();
    await wb.page.keyboard.press('s');
    await view.locator('#detail .side.chosen .text').filter({ hasText: 'Paris' }).waitFor({ timeout: 15_000 });
    await wb.page.keyboard.press('j');
    await view.locator('#detail .record-head').filter({ hasText: 'Line 2' }).waitFor({ timeout: 15_000 });
    await wb.page.keyboard.press('a');
    await view.locator('.progress').filter({ hasText: '1 / 3 reviewed' }).waitFor({ timeout: 15_000 });
    await wb.page.keyboard.press('Control+S');

    const expected = [
      '{"id": 1, "prompt": "Capital of France?", "chosen": "Paris", "rejected": "Lyon", "task": "geography"}',
      '{"id": 2, "prompt": "2 + 2?", "chosen": "4", "rejected": "5", "task": "arithmetic", "review": {"status": "accepted"}}',
      LINES[2],
    ];
    await wb.waitForFile(path, `${expected.join('\n')}\n`);

    const shots = join(__dirname, '..', '..', '..', 'test-results', 'e2e');
    await wb.page.screenshot({ path: join(shots, 'annotator-swap-saved.png') });
    await wb.page.keyboard.press('?');
    await view.locator('#help').waitFor({ state: 'visible', timeout: 10_000 });
    await wb.page.screenshot({ path: join(shots, 'annotator-help.png') });
    await wb.page.keyboard.press('Escape');

    await wb.quickOpen('preference-ranking.jsonl');
    await wb.runCommand('Instruct Studio: Open in Pair Annotator');
    await view.locator('#list .row').nth(4).locator('.snippet').waitFor({ state: 'visible', timeout: 30_000 });
    await view.locator('#list .row').first().click();
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.press('k');
    await view.locator('#detail .ranking li').first().waitFor({ timeout: 15_000 });
    await wb.page.screenshot({ path: join(shots, 'annotator-ranking.png') });
  },
});
