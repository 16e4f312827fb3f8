// The extension-tests entry point, loaded by the extension host: the VS Code server's smoke-test driver
// (runInServer.ts) and @vscode/test-electron (runWithElectron.ts) both call `run()`.
// Mocha is resolved from the repository's node_modules at run time; the test files sit beside this bundle.
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportLine } from './support/report';

export function run(): Promise<void> {
  // The spec reporter prints through Base.consoleLog: route it to the report.
  Mocha.reporters.Base.consoleLog = reportLine;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  const grep = process.env.INSTRUCT_STUDIO_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).sort()) if (file.endsWith('.test.js')) mocha.addFile(join(__dirname, file));

  const finish = (passes: number, failures: number, pending: number) => {
    // One plain closing line that CI reads; the launcher adds nothing of its own when this line exists.
    reportLine(`integration: ${passes} passed, ${failures} failed, ${pending} skipped`);
    const resultsFile = process.env.INSTRUCT_STUDIO_TEST_RESULTS;
    if (resultsFile) writeFileSync(resultsFile, JSON.stringify({ passes, failures, pending }));
  };

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const { passes, pending } = runner.stats ?? { passes: 0, pending: 0 };
        finish(passes, failures, pending);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else if (passes === 0) reject(new Error('no integration test ran'));
        else resolve();
      });
    } catch (error) {
      // A test file that fails to load (a bad import) throws here, before any test: that is a failure too.
      reportLine(`could not load the integration tests: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      finish(0, 1, 0);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
