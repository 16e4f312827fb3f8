// A Hugging Face model folder in the workspace: hovering its config.json describes the model (architecture,
// parameters, context, chat template), and "Show Model Info" opens the same as a Markdown preview.
import * as assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'hover a model folder\'s config.json and open Show Model Info',
  requires: ['instructStudio.showModelInfo'],
  async run(wb) {
    const dir = wb.workspaceFile('models/gpt2-tiny');
    cpSync(join(__dirname, '..', '..', 'fixtures', 'hf', 'gpt2-tiny'), dir, { recursive: true });
    writeFileSync(join(dir, 'chat_template.jinja'), "{% for m in messages %}{{ '<|' + m.role + '|>' + m.content + '<|end|>' }}\n{% endfor %}\n{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}\n");
    await wb.openByPath(join(dir, 'config.json'));

    const key = wb.page.locator('.monaco-editor .view-lines span').filter({ hasText: /^"model_type"$/ }).first();
    await key.waitFor({ state: 'visible', timeout: 30_000 });
    // The cursor on the key, then the editor's "Show or Focus Hover": no dependence on mouse timing. The file can
    // open before the extension has activated (workspaceContains takes a few seconds), and a hover shown then never
    // gains the extension's content: ask again until it does.
    const hover = wb.page.locator('.monaco-hover').filter({ hasText: 'GPT2LMHeadModel' }).first();
    const deadline = Date.now() + 45_000;
    for (;;) {
      await key.click();
      await wb.runCommand('Show or Focus Hover');
      const shown = await hover.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
      if (shown) break;
      if (Date.now() > deadline) throw new Error('no model hover on config.json within 45 s');
      await wb.page.keyboard.press('Escape');
    }
    const text = await hover.innerText();
    assert.match(text, /parameters/);
    assert.match(text, /context length/);
    assert.match(text, /for m in messages/);
    await wb.screenshot('model-info-hover');

    await wb.page.keyboard.press('Escape');
    await wb.runCommand('Instruct Studio: Show Model Info');
    const preview = wb.webview();
    const table = preview.locator('table').first();
    await table.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await table.innerText(), /GPT2LMHeadModel/);
  },
});
