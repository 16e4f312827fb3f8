// A 100k-record file in the pair annotator: the first rows show promptly, End reaches the last record through the
// virtualized list, and a filter narrows the list. The times are printed for the report; speed itself is measured
// in bench/annotator.bench.ts, not asserted here. The first figure includes the workbench loading the document
// (through code-server: disk → browser → extension host), which dominates it.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario } from '../harness/scenario';

const FILE = 'annotator-100k.jsonl';
const RECORDS = 100_000;

function content(): string {
  const out: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const rec: Record<string, unknown> = i % 3 === 0
      ? { prompt: `Question ${i}: which is better?`, chosen: `Answer ${i} A, explained at some length so the line is realistic.`, rejected: `Answer ${i} B, shorter.` }
      : { instruction: `Task ${i}: summarise the paragraph.`, input: `Paragraph ${i} with a few sentences of text in it.`, output: `Summary ${i}.` };
    rec.task = ['math', 'qa', 'summary'][i % 3];
    if (i % 10 === 0) rec.review = { status: i % 20 === 0 ? 'rejected' : 'accepted' };
    out.push(JSON.stringify(rec));
  }
  return `${out.join('\n')}\n`;
}

export default scenario({
  title: 'a 100k-record file opens in the pair annotator and scrolls to its end',
  requires: ['instructStudio.openAnnotator'],
  async run(wb) {
    const path = wb.workspaceFile(FILE);
    writeFileSync(path, content());
    // Quick Open by absolute path: a file written a moment ago may not be in the workbench's file index yet.
    await wb.openByPath(path);
    const view = wb.webview();
    const started = Date.now();
    // The text editor declines a file this large and shows a placeholder; the editor title button still opens it.
    await wb.page.locator('.editor-actions .action-label').filter({ hasText: 'Open in Pair Annotator' }).first().click();
    await view.locator('#list .row .snippet').first().waitFor({ state: 'visible', timeout: 60_000 });
    const firstRows = Date.now() - started;
    await view.locator('.progress').filter({ hasText: `/ ${RECORDS} reviewed` }).waitFor({ timeout: 60_000 });
    await view.locator('.progress').filter({ hasText: /^(?!.*indexing)/ }).waitFor({ timeout: 60_000 });
    const indexed = Date.now() - started;
    assert.match(await view.locator('.progress').innerText(), new RegExp(`^${RECORDS / 10} / ${RECORDS} reviewed \\(${RECORDS / 20} accepted, ${RECORDS / 20} rejected\\)`));

    await view.locator('#list .row').first().click();
    const endAt = Date.now();
    await wb.page.keyboard.press('End');
    await view.locator('#detail .record-head').filter({ hasText: `Line ${RECORDS}` }).waitFor({ timeout: 30_000 });
    await view.locator('#list .row.selected .snippet').filter({ hasText: `Question ${RECORDS - 1}:` }).waitFor({ timeout: 30_000 });
    const toEnd = Date.now() - endAt;
    await wb.page.screenshot({ path: join(__dirname, '..', '..', '..', 'test-results', 'e2e', 'annotator-large-end.png') });

    await wb.page.keyboard.press('/');
    await wb.page.keyboard.type('question 4242:', { delay: 20 });
    await view.locator('.progress').filter({ hasText: '1 shown' }).waitFor({ timeout: 30_000 });
    console.log(`    annotator, ${RECORDS} records: first rows ${firstRows} ms after the command, fully indexed ${indexed} ms, End → last record ${toEnd} ms`);
  },
});
