// The packaged extension is installed and known to the workbench, and opening a dataset raises no error.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scenario } from '../harness/scenario';

/** The stated package size limit (README): bundles, wasm, samples and the pre-trained base model. */
const VSIX_LIMIT = 8 * 1024 * 1024;

export default scenario({
  title: 'the .vsix is installed (with the pre-trained base model, under the size limit) and a dataset opens cleanly',
  async run(wb) {
    await wb.runCommand('View: Show Extensions');
    const entry = wb.page.locator('.extensions-viewlet .monaco-list-row').filter({ hasText: 'Instruct Studio' }).first();
    await entry.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await entry.innerText(), /Instruct Studio/);
    await wb.quickOpen('alpaca-problems.jsonl');
    // The built-in pre-trained base model (`tiny`) ships inside the package, and the package stays small.
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) assert.ok(existsSync(join(wb.extensionDir, 'media', 'models', 'base', f)), `media/models/base/${f} installed`);
    const repo = resolve(__dirname, '../../..');
    const own = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string };
    const vsixSize = statSync(join(repo, `${own.name}-${own.version}.vsix`)).size;
    assert.ok(vsixSize < VSIX_LIMIT, `the .vsix is ${(vsixSize / 1048576).toFixed(2)} MiB (limit ${VSIX_LIMIT / 1048576} MiB)`);
  },
});
