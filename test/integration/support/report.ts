// Test output. Under runInServer.ts the extension host's console is mixed into the workbench's own chatter, so
// the launcher names a file (INSTRUCT_STUDIO_TEST_LOG) that the report is appended to and that it echoes as the
// tests run. Elsewhere (@vscode/test-electron) the console is the tests' own and is used directly.
import { appendFileSync } from 'node:fs';
import { format } from 'node:util';

export function reportLine(...args: unknown[]): void {
  const file = process.env.INSTRUCT_STUDIO_TEST_LOG;
  if (file) appendFileSync(file, format(...args) + '\n');
  else console.log(...args);
}

/** Why a test did not run, shown under its name. */
export function note(message: string): void {
  reportLine(`      (${message})`);
}
