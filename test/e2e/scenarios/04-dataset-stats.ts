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
    // The panel fills in after the worker answers: wait for the record count the CLI computes.
    const records = String(stats.records);
    const grouped = stats.records.toLocaleString('en-US');
    await view.locator(`text=/\\b(${records}|${grouped.replace(',', '\\,')})\\b/`).first().waitFor({ state: 'visible', timeout: 30_000 });
    const text = await body.innerText();
    assert.match(text, new RegExp(stats.format, 'i'), 'names the format');
    const charts = await view.locator('canvas, svg').count();
    assert.ok(charts > 0, 'draws the length histograms');
  },
});
