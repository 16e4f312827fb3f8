// A preference evaluation (`eval` on prompt/chosen/rejected pairs) in the evaluation panel: reward accuracy, margin
// and DPO loss of the tuned model against its base, and no generations section.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplePreferenceReport } from '../../unit/evaluation/fixtures';
import { scenario } from '../harness/scenario';

export default scenario({
  title: 'open a saved preference evaluation: reward accuracy, margin and DPO loss, tuned vs base',
  requires: ['instructStudio.showEvaluation'],
  async run(wb) {
    const evalDir = join(wb.workspaceFile('runs/e2e-dpo-run'), 'eval');
    mkdirSync(evalDir, { recursive: true });
    writeFileSync(join(evalDir, '2026-11-25T13-00-00-000Z.json'), JSON.stringify(samplePreferenceReport(), null, 2));
    await wb.quickOpen('preference.jsonl');
    await wb.runCommand('Instruct Studio: Show Evaluation', { opensPicker: true });
    const row = wb.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'e2e-dpo-run' }).first();
    await row.waitFor({ state: 'visible', timeout: 45_000 });
    await row.click();

    const view = wb.webview();
    const table = view.locator('#preference-table');
    await table.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await table.innerText();
    assert.match(text, /Reward accuracy\s+75\.0%\s+0\.0%\s+\+75\.0 pp/);
    assert.match(text, /DPO loss\s+0\.6321\s+0\.6931\s+-0\.0610/);
    assert.match(await view.locator('#meta').innerText(), /^8 preference pairs · model \/runs\/dpo\/best · base \/runs\/sft\/best/);
    const hidden = (id: string) => view.locator(id).evaluate((el) => (el as HTMLElement).hidden);
    assert.equal(await hidden('#gen-section'), true, 'a preference evaluation has no generations');
    assert.equal(await hidden('#breakdown'), true);
    await wb.screenshot('evaluation-preference');
  },
});
