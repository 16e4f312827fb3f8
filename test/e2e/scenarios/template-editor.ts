// The prompt-template editor as a user meets it: open a .jinja template beside a chat dataset, see the record
// rendered token by token, type in Monaco, see the preview follow (the EOS becomes a trained special token and the
// no-EOS warning goes), save and find exactly that text on disk; a broken tag is marked in the editor.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { scenario } from '../harness/scenario';

const TEMPLATE = 'e2e-template.jinja';
const SOURCE = ['{% for m in messages %}<|{{ m.role }}|>', '{{ m.content }}', '{% endfor %}', ''].join('\n');
const ADDED = "{% if m.role == 'assistant' %}{{ eos_token }}{% endif %}";

export default scenario({
  title: 'edit a chat template in Monaco and watch the token-level preview of a real record follow',
  requires: ['instructStudio.openTemplateEditor'],
  async run(wb) {
    const path = wb.workspaceFile(TEMPLATE);
    writeFileSync(path, SOURCE);
    // the dataset first: the editor previews the dataset open beside it
    await wb.quickOpen('chat.jsonl');
    // Quick Open by absolute path opens a file the file watcher has not reported yet (slow on a loaded machine).
    await wb.page.keyboard.press('Control+P');
    await wb.page.locator('.quick-input-widget').waitFor({ state: 'visible' });
    await wb.page.keyboard.type(path, { delay: 5 });
    await wb.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: TEMPLATE }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await wb.page.keyboard.press('Enter');
    await wb.editorTab(TEMPLATE).waitFor({ state: 'visible', timeout: 15_000 });
    await wb.runCommand('Instruct Studio: Open Prompt Template Editor');

    const view = wb.webview();
    const rendered = view.locator('#rendered');
    await rendered.locator('.tok.trained').first().waitFor({ state: 'visible', timeout: 60_000 });
    await view.locator('#dataset-label').filter({ hasText: 'chat.jsonl' }).waitFor({ timeout: 15_000 });
    const record = JSON.parse(readFileSync(wb.workspaceFile('chat.jsonl'), 'utf8').split('\n')[0]) as { messages: Array<{ role: string; content: string }> };
    const answers = record.messages.filter((m) => m.role === 'assistant').map((m) => m.content);

    // Trained tokens are exactly the responses (no end marker follows them yet); the prompt is not trained.
    // textContent, not innerText: the token spans hold newlines that layout would fold
    // (evaluate runs in the page and takes no arguments here: one function per selector)
    const trainedText = async () => (await rendered.evaluate((el) => [...el.querySelectorAll('.tok.trained')].map((t) => t.textContent ?? ''))).join('');
    const specialTexts = () => rendered.evaluate((el) => [...el.querySelectorAll('.tok.special')].map((t) => t.textContent ?? ''));
    const trainedSpecialTexts = () => rendered.evaluate((el) => [...el.querySelectorAll('.tok.special.trained')].map((t) => t.textContent ?? ''));
    assert.equal(await trainedText(), answers.join(''));
    assert.deepEqual(await specialTexts(), record.messages.map((m) => `<|${m.role}|>`));
    assert.equal(await rendered.locator('.tok.special.trained').count(), 0);
    await view.locator('.warning[data-code="no-eos"]').first().waitFor({ timeout: 15_000 });
    const countBefore = await view.locator('#token-count').innerText();

    // Type in Monaco: end of line 2, after {{ m.content }}.
    await view.locator('.monaco-editor .view-lines').click();
    await wb.page.keyboard.press('Control+Home');
    await wb.page.keyboard.press('ArrowDown');
    await wb.page.keyboard.press('End');
    // Typed key by key as a user does: Monaco closes `{%` with ` %}` and `{{` with ` }}`, and End steps past them.
    for (const part of ["{% if m.role == 'assistant'", '{{ eos_token', '{% endif']) {
      await wb.page.keyboard.type(part, { delay: 15 });
      await wb.page.keyboard.press('End');
    }

    await rendered.locator('.tok.special.trained').first().waitFor({ timeout: 15_000 });
    assert.deepEqual(await trainedSpecialTexts(), answers.map(() => '<|eos|>'));
    assert.equal(await trainedText(), answers.map((a) => `${a}<|eos|>`).join(''));
    assert.equal(await view.locator('.warning[data-code="no-eos"]').count(), 0);
    assert.notEqual(await view.locator('#token-count').innerText(), countBefore);
    await view.locator('#dirty').waitFor({ state: 'visible', timeout: 10_000 });

    // Ctrl+S in Monaco saves the document: the file holds exactly what was typed.
    await wb.page.keyboard.press('Control+S');
    const expected = SOURCE.replace('{{ m.content }}', `{{ m.content }}${ADDED}`);
    await wb.waitForFile(path, expected);
    await view.locator('#dirty').waitFor({ state: 'hidden', timeout: 10_000 });

    // Next record: the preview follows.
    await view.locator('#next-record').click();
    await view.locator('#record-line').filter({ hasText: 'line 2' }).waitFor({ timeout: 15_000 });
    await wb.screenshot('template-editor-preview');

    // A broken tag: the engine's error is shown and marked in Monaco; undo brings the preview back.
    await view.locator('.monaco-editor .view-lines').click();
    await wb.page.keyboard.press('Control+End');
    await wb.page.keyboard.type('{% if', { delay: 15 });
    await view.locator('#preview-error.template').waitFor({ timeout: 15_000 });
    assert.match(await view.locator('#preview-error .where').innerText(), /Template error \(template line \d+, column \d+\)/);
    await view.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 15_000 });
    await wb.screenshot('template-editor-error');
    for (let i = 0; i < 5 && (await view.locator('#preview-error').count()) > 0; i++) {
      await wb.page.keyboard.press('Control+Z');
      await view.locator('#preview-error').waitFor({ state: 'detached', timeout: 3_000 }).catch(() => undefined);
    }
    assert.equal(await view.locator('#preview-error').count(), 0, 'undo in Monaco clears the error');
    assert.equal(await view.locator('.monaco-editor .squiggly-error').count(), 0);

    // Completion inside an expression after `m.`: the current record's fields.
    await wb.page.keyboard.press('Control+End');
    await wb.page.keyboard.type('{{ m.', { delay: 15 });
    await wb.page.keyboard.press('Control+Space');
    const suggestions = view.locator('.suggest-widget .monaco-list-row');
    await suggestions.filter({ hasText: 'content' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok((await suggestions.allInnerTexts()).some((t) => t.includes('role')), 'record fields offered');
    await wb.screenshot('template-editor-completion');
    await wb.page.keyboard.press('Escape');

    // Where the template's own completion has nothing to offer (right after a lone `{`), Monaco falls back to
    // words of the document, computed in its editor worker: that worker starts from its Blob.
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.press('Enter');
    await wb.page.keyboard.type('x {', { delay: 15 });
    await wb.page.keyboard.press('Control+Space');
    const body = view.locator('body');
    const deadline = Date.now() + 15_000;
    let worker = await body.getAttribute('data-editor-worker');
    while (worker === null && Date.now() < deadline) {
      await wb.page.waitForTimeout(200);
      worker = await body.getAttribute('data-editor-worker');
    }
    await wb.page.keyboard.press('Escape');
    assert.equal(worker, 'running', "Monaco's editor worker");
    // and the page's CSP refused nothing
    assert.equal(await body.getAttribute('data-csp-violations'), null, 'CSP violations in the template editor');
  },
});
