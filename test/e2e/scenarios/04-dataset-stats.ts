// "Instruct Studio: Show Dataset Statistics": a themed webview with the record count and the length histograms.
import * as assert from 'node:assert/strict';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'open the dataset statistics panel for a bundled sample and read it',
  requires: ['instructStudio.showDatasetStats'],
  async run(wb) {
    const file = 'multitask-train.jsonl';
    await wb.quickOpen(file);
    const stats = JSON.parse(wb.cli(['stats', '--json', wb.workspaceFile(file)])) as { records: number; format: string };
    await wb.runCommand('Instruct Studio: Show Dataset Statistics');

    const view = wb.webview();
    const body = view.locator('body');
    await body.waitFor({ state: 'visible', timeout: 30_000 });
    // The panel fills in after the worker answers: wait for the record count the CLI computes (maybe grouped: 3,000).
    const grouped = stats.records.toLocaleString('en-US').replace(',', '\\,');
    await view.locator(`text=/\\b(${stats.records}|${grouped})\\b/`).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await body.innerText(), new RegExp(stats.format, 'i'), 'names the format');
    const chart = view.locator('canvas, svg').first();
    assert.ok((await view.locator('canvas, svg').count()) > 0, 'draws the length histograms');

    // The histograms are below the summary: a picture of the summary, then the charts scrolled into view for the
    // scenario's own screenshot.
    await wb.screenshot('04-dataset-stats-summary');
    await chart.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  },
});
