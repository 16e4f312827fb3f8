// What the .vsix ships, as vsce computes it from .vscodeignore (without building or zipping): the pre-trained base
// model is in it, and the package stays small. The e2e run checks the packaged file's own size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listFiles, PackageManager } from '@vscode/vsce';

const repo = resolve(__dirname, '../../..');

/** Stated limits: the model folder a few MB at most; everything shipped besides the build output (dist/) under 4 MB. */
const MODEL_LIMIT = 3 * 1024 * 1024;
const NON_BUILD_LIMIT = 4 * 1024 * 1024;

test('the package ships the built-in base model (media/models/base) and stays under the stated sizes', async () => {
  const files = (await listFiles({ cwd: repo, packageManager: PackageManager.None })).map((f) => f.replace(/\\/g, '/'));
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'template.json', 'README.md', 'heldout.txt']) {
    assert.ok(files.includes(`media/models/base/${f}`), `media/models/base/${f} is packaged`);
  }
  const size = (fs: string[]) => fs.reduce((n, f) => n + statSync(join(repo, f)).size, 0);
  const model = size(files.filter((f) => f.startsWith('media/models/base/')));
  assert.ok(model < MODEL_LIMIT, `model folder ${(model / 1048576).toFixed(2)} MiB`);
  const nonBuild = size(files.filter((f) => !f.startsWith('dist/')));
  assert.ok(nonBuild < NON_BUILD_LIMIT, `shipped files besides dist/: ${(nonBuild / 1048576).toFixed(2)} MiB`);
});
