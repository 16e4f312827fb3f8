// Where the workbench test tools live. install.sh writes tools.json; the launchers only read it, so the
// cache location and versions are decided in one place.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface TestTools {
  /** Node 24: the VS Code server bundled in code-server needs it. */
  node: string;
  /** The installed `code-server` package folder. */
  codeServerRoot: string;
  playwrightCore: string;
  chromium: string;
}

export function testToolsCache(): string {
  return process.env.INSTRUCT_STUDIO_TEST_CACHE ?? join(homedir(), '.cache', 'instruct-studio-test');
}

export function loadTestTools(): TestTools {
  const file = join(testToolsCache(), 'tools.json');
  if (!existsSync(file)) {
    throw new Error(`test tools are not installed (${file} is missing): run scripts/test-tools/install.sh`);
  }
  const tools = JSON.parse(readFileSync(file, 'utf8')) as TestTools;
  for (const [name, path] of Object.entries(tools)) {
    if (!existsSync(path)) throw new Error(`test tool ${name} is missing at ${path}: run scripts/test-tools/install.sh`);
  }
  return tools;
}

/** The VS Code server (not code-server's wrapper): only it accepts --enable-smoke-test-driver. */
export function vscodeServerMain(tools: TestTools): string {
  return join(tools.codeServerRoot, 'lib', 'vscode', 'out', 'server-main.js');
}

export function codeServerEntry(tools: TestTools): string {
  return join(tools.codeServerRoot, 'out', 'node', 'entry.js');
}
