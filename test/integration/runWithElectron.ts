// The same integration tests on a developer's laptop, where @vscode/test-electron can download a desktop VS Code:
//   npm run build && node --import tsx test/integration/runWithElectron.ts
// It opens a fresh copy of the test workspace (bundled samples + fixtures), exactly as runInServer.ts does.
import { runTests } from '@vscode/test-electron';
import { join } from 'node:path';
import { makeRunDirs, removeRunDirs } from '../../scripts/test-tools/lib/runDirs';
import { buildIntegrationTests, repoRoot } from './buildTests';

async function main(): Promise<number> {
  const extensionTestsPath = await buildIntegrationTests();
  const dirs = makeRunDirs('electron', repoRoot);
  try {
    return await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      extensionTestsEnv: { INSTRUCT_STUDIO_TEST_RESULTS: join(dirs.root, 'results.json') },
      launchArgs: [
        dirs.workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--user-data-dir', dirs.userData,
        '--extensions-dir', dirs.extensions,
      ],
    });
  } finally {
    removeRunDirs(dirs);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
