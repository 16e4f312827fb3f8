// Training as a user starts it: "Start Training" from the palette with Enter at every step, the loss chart
// opens and draws loss points as the trainer child logs them, and "Stop Training" leaves a resumable checkpoint.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'start training with Enter at each step, watch the loss chart draw, stop with a checkpoint',
  requires: ['instructStudio.startTraining', 'instructStudio.stopTraining', 'instructStudio.showLossChart'],
  async run(wb) {
    await wb.quickOpen('multitask-train.jsonl');
    // The palette is replaced by the first picker once the dataset is validated (slow under load: a picker that takes
    // longer than the harness's 15 s still shows up in the step waits below).
    await wb.runCommand('Instruct Studio: Start Training', { opensPicker: true }).catch((e: Error) => {
      if (!/opened no picker/.test(e.message)) throw e;
    });
    // Model, evaluation split, preset, run folder: Enter takes the default each time. Each step is recognised by its
    // own text, so an Enter never lands on the previous picker while it closes.
    const quickInput = wb.page.locator('.quick-input-widget');
    for (const step of [/Built-in tiny base model/, /Hold out \d+% of the data/, /Quick/, /Run folder/]) {
      await quickInput.filter({ hasText: step }).waitFor({ state: 'visible', timeout: 60_000 });
      await wb.page.waitForTimeout(300);
      await wb.page.keyboard.press('Enter');
    }
    await quickInput.waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => undefined);

    const chart = wb.webview();
    const status = chart.locator('#status');
    // The first train rows arrive after the backend starts and ten steps run.
    await status.filter({ hasText: /step \d+ · loss \d/ }).waitFor({ timeout: 240_000 });
    await chart.locator('#chart-loss canvas').first().waitFor({ state: 'visible', timeout: 15_000 });
    // uPlot's live legend holds the last value of each series; a number means points were drawn.
    const legend = await chart.locator('#chart-loss .u-legend').innerText();
    assert.match(legend, /train loss/);
    await wb.page.locator('.statusbar-item').filter({ hasText: /loss \d/ }).first().waitFor({ timeout: 30_000 });
    // The run's state is read once the trainer has written run.json (it was shown as "unknown").
    await status.filter({ hasText: /— running/ }).waitFor({ timeout: 30_000 });
    await wb.screenshot('training-chart-live');

    await wb.runCommand('Instruct Studio: Stop Training');
    await wb.page.locator('.notifications-toasts, .notification-toast-container').filter({ hasText: /Training stopped/ }).first().waitFor({ timeout: 120_000 });

    const runsDir = wb.workspaceFile('runs');
    const runs = readdirSync(runsDir);
    assert.equal(runs.length, 1, `one run folder in ${runsDir}`);
    const run = JSON.parse(readFileSync(join(runsDir, runs[0], 'run.json'), 'utf8')) as { status: string; step: number };
    assert.equal(run.status, 'stopped');
    assert.ok(existsSync(join(runsDir, runs[0], 'checkpoint', 'training_state.json')), 'a resumable checkpoint was saved');
    const metrics = readFileSync(join(runsDir, runs[0], 'metrics.jsonl'), 'utf8').trim().split('\n');
    assert.ok(metrics.length >= 1, 'metrics.jsonl has rows');
  },
});
