// "Generate Instructions from Seed Tasks" in a workspace without runs: the model pick offers the built-in tiny base
// model (the CLI's default), so a seed file and a count are enough to start.
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'the seed-task generation offers the built-in base model when the workspace has no runs',
  requires: ['instructStudio.generateFromSeedTasks'],
  async run(wb) {
    await wb.quickOpen('alpaca.jsonl');
    await wb.runCommand('Instruct Studio: Generate Instructions from Seed Tasks', { opensPicker: true }).catch((e: Error) => {
      if (!/opened no picker/.test(e.message)) throw e;
    });
    const quickInput = wb.page.locator('.quick-input-widget');
    await quickInput.filter({ hasText: /How many new records to keep/ }).waitFor({ state: 'visible', timeout: 30_000 });
    await wb.page.keyboard.press('Enter');
    const pick = quickInput.filter({ hasText: /which model writes them/ });
    await pick.waitFor({ state: 'visible', timeout: 30_000 });
    // The first row, so Enter takes it.
    await pick.locator('.monaco-list-row').first().filter({ hasText: /Built-in tiny base model/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('synth-model-pick-open');
    await wb.page.keyboard.press('Escape');
  },
});
