// "Instruct Studio: Show Evaluation" on a saved evaluation: the metric table with intervals and deltas vs base, and
// the generations side by side (expected / base / tuned), worst first.
import * as assert from 'node:assert/strict';
import { writeSampleEvaluation } from '../../unit/evaluation/fixtures';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'open a saved evaluation in the side panel and read the table and the side-by-side generations',
  requires: ['instructStudio.showEvaluation'],
  async run(wb) {
    writeSampleEvaluation(wb.workspaceFile('runs/e2e-eval-run'), wb.workspaceFile('multitask-eval.jsonl'));
    await wb.quickOpen('multitask-eval.jsonl');
    await wb.runCommand('Instruct Studio: Show Evaluation', { opensPicker: true });
    const quickInput = wb.page.locator('.quick-input-widget');
    const row = quickInput.locator('.monaco-list-row').filter({ hasText: 'e2e-eval-run' }).first();
    await row.waitFor({ state: 'visible', timeout: 45_000 });
    await row.click();

    const view = wb.webview();
    const table = view.locator('#metric-table');
    await table.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await table.innerText();
    assert.match(text, /Exact match/);
    assert.match(text, /Change vs base/);
    // A value with its interval, and a change against the base model.
    assert.match(text, /\d+\.\d%\s+\[\d+\.\d%, \d+\.\d%\]/);
    // Changes of fractions in percentage points.
    assert.match(text, /[+-]\d+\.\d pp\s+\[[+-]\d+\.\d, [+-]\d+\.\d\]/);
    assert.match(await view.locator('#win-rate').innerText(), /Win rate of tuned over base on verifiable records: 50\.0% \(1 won, 1 lost, 2 tied of 4; ties count half\)/);

    const items = view.locator('#generations .gen');
    await items.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await items.count(), 4);
    const first = items.first();
    const titles = await first.locator('.col-title').allInnerTexts();
    assert.deepEqual(titles.map((t) => t.trim()), ['Expected', 'Base', 'Tuned']);
    // Worst first: the complete miss (tuned "bat" for "OWL") heads the list.
    assert.match(await first.locator('.col').nth(2).innerText(), /bat/);
    assert.match(await view.locator('#forgetting-line').innerText(), /General-text perplexity/);
    await wb.screenshot('evaluation-panel');
    // The list is below the summary: the runner's own screenshot shows it scrolled into view.
    await first.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  },
});
