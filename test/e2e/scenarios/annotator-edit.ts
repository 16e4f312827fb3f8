// Editing in the pair annotator from the keyboard: edit a field inline, rate, write a note, save; then undo every
// step with u and save again — the file on disk must be back to what it was, byte for byte.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario } from '../harness/scenario';

const FILE = 'annotator-edit.jsonl';
const ORIGINAL = [
  '{"instruction": "Add 2 and 3.", "input": "", "output": "six", "id": "a1"}',
  '{"messages": [{"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "Hi!"}]}',
].join('\n') + '\n';

export default scenario({
  title: 'edit a field, rate and note in the pair annotator, save, then undo it all with u',
  requires: ['instructStudio.openAnnotator'],
  async run(wb) {
    const path = wb.workspaceFile(FILE);
    writeFileSync(path, ORIGINAL);
    // Quick Open by absolute path: a file written a moment ago may not be in the workbench's file index yet.
    await wb.openByPath(path);
    await wb.runCommand('Instruct Studio: Open in Pair Annotator');
    const view = wb.webview();
    await view.locator('#list .row .snippet').first().waitFor({ state: 'visible', timeout: 30_000 });

    await view.locator('#detail .text').filter({ hasText: 'six' }).click();
    // Typed at once, as a user does: no waiting for the editor to render or take the focus. Both the focus arriving
    // late and Ctrl+A echoed back by the workbench a moment later used to lose the first character here.
    await wb.page.keyboard.press('e');
    await wb.page.keyboard.press('Control+A');
    await wb.page.keyboard.type('5 ("five")');
    await wb.page.keyboard.press('Control+Enter');
    await view.locator('#detail .text').filter({ hasText: '5 ("five")' }).waitFor({ timeout: 15_000 });
    await wb.page.keyboard.press('4');
    await view.locator('#list .row.selected .meta').filter({ hasText: '★★★★' }).waitFor({ timeout: 15_000 });
    await wb.page.keyboard.press('n');
    await wb.page.keyboard.type('fixed the sum');
    await wb.page.keyboard.press('Enter');
    await view.locator('#list').click();
    await wb.page.keyboard.press('Control+S');
    await wb.waitForFile(path, ORIGINAL.replace('"output": "six", "id": "a1"}', '"output": "5 (\\"five\\")", "id": "a1", "review": {"rating": 4, "note": "fixed the sum"}}'));
    await wb.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'e2e', 'annotator-edit-saved.png') });

    for (let i = 0; i < 3; i++) await wb.page.keyboard.press('u');
    await view.locator('#detail .text').filter({ hasText: 'six' }).waitFor({ timeout: 15_000 });
    await wb.page.keyboard.press('Control+S');
    await wb.waitForFile(path, ORIGINAL);
  },
});
