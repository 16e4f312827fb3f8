// A finished run's loss chart from its files: the eval exact-match chart reads its fractions as percent (a fixed
// 0–100% axis), like the status line beside it.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'the loss chart of a finished run shows eval exact match on a 0–100% axis',
  requires: ['instructStudio.showLossChart'],
  async run(wb) {
    const dir = wb.workspaceFile('runs/e2e-em-run');
    mkdirSync(dir, { recursive: true });
    const rows: object[] = [];
    for (let step = 10; step <= 100; step += 10) {
      rows.push({ step, loss: 3 - step / 50, lr: 0.001, grad_norm: 1, tokens_per_second: 500, elapsed_s: step / 10 });
      if (step % 30 === 0) rows.push({ step, split: 'eval', loss: 3.1 - step / 50, exact_match: step / 200, elapsed_s: step / 10 });
    }
    writeFileSync(join(dir, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ status: 'finished', dataset: 'multitask-train.jsonl', model: 'tiny', startedAt: '2026-11-25T10:00:00Z', endedAt: '2026-11-25T10:00:10Z' }));
    // An open dataset first, as a user has: the workbench is settled and the extension active before the palette.
    await wb.quickOpen('multitask-train.jsonl');
    await wb.runCommand('Instruct Studio: Show Loss Chart');
    const chart = wb.webview();
    const em = chart.locator('#chart-em');
    await em.locator('canvas').waitFor({ state: 'visible', timeout: 45_000 });
    assert.match(await chart.locator('#status').innerText(), /exact match 45\.0%/);
    // The axis labels are drawn on the canvas; the legend's value follows the cursor: point it at the last eval.
    await em.locator('.u-over').evaluate((el) => {
      const r = el.getBoundingClientRect();
      el.dispatchEvent(new MouseEvent('mousemove', { clientX: r.right - 1, clientY: r.top + r.height / 2, bubbles: true }));
    });
    const legend = () => em.locator('.u-legend').innerText();
    for (const deadline = Date.now() + 5_000; !/exact match:?\s*45\.0%/.test(await legend()); await wb.page.waitForTimeout(100)) {
      if (Date.now() > deadline) assert.fail(`legend: ${await legend()}`);
    }
    await em.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await wb.screenshot('loss-chart-exact-match');
  },
});
