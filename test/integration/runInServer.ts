// Runs the integration tests inside the extension host of a real VS Code: the server build bundled in
// code-server, opened in headless Chromium through its smoke-test driver, which hands the tests' exit code back.
// Usage: npm run test:integration (builds first). Env: INSTRUCT_STUDIO_TEST_GREP, INSTRUCT_STUDIO_KEEP_RUN.
import { appendFileSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { launchChromium, type Browser } from '../../scripts/test-tools/lib/playwright';
import { cleanUpOnSignals, killTree } from '../../scripts/test-tools/lib/processTree';
import { makeRunDirs, removeRunDirs } from '../../scripts/test-tools/lib/runDirs';
import { loadTestTools } from '../../scripts/test-tools/lib/tools';
import { startWorkbenchServer, type WorkbenchServer } from '../../scripts/test-tools/lib/workbenchServer';
import { buildIntegrationTests, repoRoot } from './buildTests';

const TIMEOUT_MS = Number(process.env.INSTRUCT_STUDIO_IT_TIMEOUT_MS ?? 300_000);
const resultsDir = join(repoRoot, 'test-results', 'integration');

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => env[k]).map((k) => [k, env[k]!]));
}

function formatLogArgs(args: unknown): string {
  return format(...(Array.isArray(args) ? args : [args]));
}

/** Echoes what the tests append to `file`, from where it was last read; returns the new offset. */
function echoNew(file: string, offset: number): number {
  if (!existsSync(file)) return offset;
  const size = statSync(file).size;
  if (size <= offset) return offset;
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  readSync(fd, buffer, 0, buffer.length, offset);
  closeSync(fd);
  process.stdout.write(buffer);
  return size;
}

async function main(): Promise<number> {
  const testsEntry = await buildIntegrationTests();
  const tools = loadTestTools();
  const dirs = makeRunDirs('integration', repoRoot);
  const resultsFile = join(dirs.root, 'results.json');
  const reportFile = join(dirs.root, 'report.txt');
  const consoleFile = join(dirs.root, 'workbench-console.log');
  let reported = 0;
  const echo = setInterval(() => (reported = echoNew(reportFile, reported)), 200);
  rmSync(resultsDir, { recursive: true, force: true });
  let server: WorkbenchServer | undefined;
  let browser: Browser | undefined;
  let exitCode = 1;
  let sawSummary = false;
  try {
    cleanUpOnSignals(async () => {
      await server?.stop();
      removeRunDirs(dirs);
    });
    server = await startWorkbenchServer('vscode-server', tools, dirs, {
      INSTRUCT_STUDIO_TEST_RESULTS: resultsFile,
      INSTRUCT_STUDIO_TEST_LOG: reportFile,
      ...pick(process.env, ['INSTRUCT_STUDIO_TEST_GREP', 'INSTRUCT_STUDIO_TEST_ALL']),
    });
    browser = await launchChromium(tools);
    const page = await (await browser.newContext()).newPage();
    let finish: (code: number) => void = () => {};
    const finished = new Promise<number>((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    // The workbench's console (the extension host's included) is kept for a failure report; the tests' own report
    // comes through reportFile, echoed as it grows.
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const line = `[${type}] ${formatLogArgs(args)}\n`;
      appendFileSync(consoleFile, line);
      if (process.env.INSTRUCT_STUDIO_VERBOSE) process.stdout.write(line);
    });
    page.on('pageerror', (e) => appendFileSync(consoleFile, `[pageerror] ${e.message}\n`));

    const remote = (path: string) => `vscode-remote://127.0.0.1:${server!.port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(testsEntry)],
    ];
    const url = `${server.origin}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url, { waitUntil: 'domcontentloaded' });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        console.error(`[integration] no result after ${TIMEOUT_MS / 1000} s: giving up`);
        resolve(124);
      }, TIMEOUT_MS);
    });
    exitCode = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (exitCode !== 0) console.error(`[integration] the extension host's test run ended with code ${exitCode}`);
  } catch (error) {
    console.error(`[integration] ${error instanceof Error ? error.message : String(error)}`);
    exitCode = 1;
  } finally {
    clearInterval(echo);
    reported = echoNew(reportFile, reported);
    await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 5000))]);
    await server?.stop();
    // Whatever is still below this process (browser helpers, a stuck extension host) goes too.
    await killTree(process.pid, { includeRoot: false });
    // index.ts writes the results file right after its summary line.
    sawSummary = existsSync(resultsFile);
    if (exitCode !== 0) keepLogs(dirs.root);
    removeRunDirs(dirs);
  }
  if (!sawSummary) {
    // The tests never reported (crash, timeout, failure to start): count the run as one failure.
    console.log('integration: 0 passed, 1 failed');
    return exitCode === 0 ? 1 : exitCode;
  }
  return exitCode;
}

/** Keeps the server and extension-host logs of a failed run under test-results/integration/. */
function keepLogs(runRoot: string): void {
  mkdirSync(resultsDir, { recursive: true });
  for (const name of ['vscode-server.log', 'workbench-console.log', 'report.txt', 'user-data/logs', 'server-data/logs']) {
    const from = join(runRoot, name);
    if (existsSync(from)) cpSync(from, join(resultsDir, name.replace('/', '-')), { recursive: true });
  }
  console.error(`[integration] logs kept in ${resultsDir}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
