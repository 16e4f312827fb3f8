// The built-in format as a user first meets it: an alpaca dataset open, the template editor started from the
// byte-level preset; the record shows as one user turn (instruction, blank line, input) and one assistant turn, the
// markers as single special tokens, and only the answer and the marker that closes it trained.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'start the template editor from the byte-level preset beside an alpaca dataset: one user and one assistant turn, the answer trained',
  requires: ['instructStudio.openTemplateEditor'],
  async run(wb) {
    await wb.quickOpen('multitask-train.jsonl');
    await wb.runCommand('Instruct Studio: Open Prompt Template Editor', { opensPicker: true });
    await wb.page.keyboard.type('byte-level', { delay: 10 });
    await wb.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'byte-level', visible: true }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await wb.page.keyboard.press('Enter');

    const view = wb.webview();
    const rendered = view.locator('#rendered');
    await rendered.locator('.tok.trained').first().waitFor({ state: 'visible', timeout: 60_000 });
    await view.locator('#dataset-label').filter({ hasText: 'multitask-train.jsonl' }).waitFor({ timeout: 15_000 });
    const record = JSON.parse(readFileSync(wb.workspaceFile('multitask-train.jsonl'), 'utf8').split('\n')[0]) as { instruction: string; input: string; output: string };
    // textContent of each token (evaluate runs in the page and takes no arguments here: one function per selector);
    // the preview draws a newline as a visible ↵ before it.
    const all = async () => (await rendered.evaluate((el) => [...el.querySelectorAll('.tok')].map((t) => t.textContent ?? ''))).join('').replaceAll('↵', '');
    const special = () => rendered.evaluate((el) => [...el.querySelectorAll('.tok.special')].map((t) => t.textContent ?? ''));
    const trained = async () => (await rendered.evaluate((el) => [...el.querySelectorAll('.tok.trained')].map((t) => t.textContent ?? ''))).join('');
    assert.deepEqual(await special(), ['<|bos|>', '<|user|>', '<|end|>', '<|assistant|>', '<|end|>']);
    assert.equal(await all(), `<|bos|><|user|>${record.instruction}\n\n${record.input}<|end|><|assistant|>${record.output}<|end|>`);
    assert.equal(await trained(), `${record.output}<|end|>`);
    await wb.screenshot('template-preset-alpaca');
  },
});
