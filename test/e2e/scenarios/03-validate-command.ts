// "Instruct Studio: Validate Dataset" from the palette: a summary notification with the counts, and the problems.
import * as assert from 'node:assert/strict';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'run "Instruct Studio: Validate Dataset" from the palette on the open dataset',
  requires: ['instructStudio.validateDataset'],
  async run(wb) {
    const file = 'fixtures/chat-problems.jsonl';
    await wb.quickOpen('chat-problems.jsonl');
    const cli = JSON.parse(wb.cli(['validate', '--json', wb.workspaceFile(file)])) as { records: number; problems: { severity: string }[] };
    await wb.runCommand('Instruct Studio: Validate Dataset');

    const toast = wb.page.locator('.notification-toast').filter({ hasText: 'chat-problems.jsonl' }).first();
    await toast.waitFor({ state: 'visible', timeout: 20_000 });
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    const errors = cli.problems.filter((p) => p.severity === 'error').length;
    assert.match(text, new RegExp(`${cli.records} records?`), `the summary counts the records: ${text}`);
    assert.match(text, new RegExp(`${errors} errors?`), `the summary counts the errors: ${text}`);
    await wb.problems(errors + 1);
  },
});
