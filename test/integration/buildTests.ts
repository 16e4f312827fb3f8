// Bundles the integration tests for the extension host: index.ts and each *.test.ts become one CommonJS file
// under out/test/integration/, with `vscode` and `mocha` left to the host and node_modules.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');
export const testsOutDir = join(repoRoot, 'out', 'test', 'integration');

export async function buildIntegrationTests(): Promise<string> {
  const srcDir = join(repoRoot, 'test', 'integration');
  const entryPoints = readdirSync(srcDir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => join(srcDir, f));
  rmSync(testsOutDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir: testsOutDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    // Prefer ES module builds: some packages' UMD "main" (jsonc-parser) requires its parts dynamically, which a
    // bundle cannot resolve.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  return join(testsOutDir, 'index.js');
}
