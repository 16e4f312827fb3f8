// End-to-end: the packaged .vsix installed into a fresh code-server, driven in Chromium as a user would.
// Usage: npm run test:e2e (packages first). Env: INSTRUCT_STUDIO_E2E_GREP (scenario file names),
// INSTRUCT_STUDIO_KEEP_RUN (keep the temp folders). Screenshots: test-results/e2e/<scenario>.png.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { launchChromium, type Browser } from '../../scripts/test-tools/lib/playwright';
import { cleanUpOnSignals, killTree } from '../../scripts/test-tools/lib/processTree';
import { makeRunDirs, removeRunDirs, resetUserSettings, type RunDirs } from '../../scripts/test-tools/lib/runDirs';
import { codeServerEntry, loadTestTools, type TestTools } from '../../scripts/test-tools/lib/tools';
import { startWorkbenchServer, toolEnv, type WorkbenchServer } from '../../scripts/test-tools/lib/workbenchServer';
import { errorToasts, exthostErrorsSince, exthostLogMarks, watchErrorToasts } from './harness/guards';
import { SkipScenario, type Scenario } from './harness/scenario';
import { Workbench } from './harness/workbench';

const repoRoot = resolve(__dirname, '..', '..');
const resultsDir = join(repoRoot, 'test-results', 'e2e');
const SCENARIO_TIMEOUT_MS = Number(process.env.INSTRUCT_STUDIO_E2E_TIMEOUT_MS ?? 180_000);

interface PackageManifest {
  name: string;
  publisher: string;
  version: string;
  contributes?: { commands?: { command: string }[] };
}

function installVsix(tools: TestTools, dirs: RunDirs): { extensionDir: string; manifest: PackageManifest } {
  const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageManifest;
  const vsix = join(repoRoot, `${own.name}-${own.version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first (npm run test:e2e does)`);
  execFileSync(tools.node, [codeServerEntry(tools), '--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData], {
    env: toolEnv(tools, dirs),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const extensionDir = join(dirs.extensions, `${own.publisher}.${own.name}-${own.version}`);
  if (!existsSync(join(extensionDir, 'package.json'))) throw new Error(`the .vsix did not install to ${extensionDir}`);
  // Scenarios are gated on what the package ships, not on the working tree.
  return { extensionDir, manifest: JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8')) as PackageManifest };
}

function loadScenarios(): { name: string; scenario: Scenario }[] {
  const dir = join(__dirname, 'scenarios');
  const grep = process.env.INSTRUCT_STUDIO_E2E_GREP;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && (!grep || f.includes(grep)))
    .sort()
    .map((f) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(join(dir, f)) as { default?: Scenario };
      if (!mod.default?.run) throw new Error(`${f} must default-export scenario({...})`);
      return { name: basename(f, '.ts'), scenario: mod.default };
    });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runScenario(
  browser: Browser,
  server: WorkbenchServer,
  dirs: RunDirs,
  tools: TestTools,
  extensionDir: string,
  name: string,
  s: Scenario,
): Promise<{ failures: string[]; skipped?: string }> {
  resetUserSettings(dirs);
  // Each scenario opens its own copy of the sample workspace: editors, dirty buffers and hot-exit backups are kept
  // per folder, so a scenario that fails half-way cannot leave editors open (and stealing keystrokes) in the next.
  const workspace = join(dirs.root, 'workspaces', name);
  cpSync(dirs.workspace, workspace, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const failures: string[] = [];
  let skipped: string | undefined;
  try {
    const page = await context.newPage();
    await watchErrorToasts(page);
    const marks = exthostLogMarks(dirs.userData);
    const wb = new Workbench({ page, workspace, extensionDir, node: tools.node, resultsDir, userData: dirs.userData });
    try {
      await withTimeout(
        (async () => {
          await page.goto(`${server.origin}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
          await wb.ready();
          await s.run(wb);
        })(),
        SCENARIO_TIMEOUT_MS,
        name,
      );
    } catch (error) {
      if (error instanceof SkipScenario) skipped = error.message;
      else failures.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    // Late errors (a command's promise rejecting after the scenario's last check) get a moment to surface.
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(resultsDir, `${name}.png`) }).catch((e: Error) => failures.push(`screenshot: ${e.message}`));
    for (const toast of await errorToasts(page).catch(() => [])) failures.push(`error notification: ${toast}`);
    for (const entry of exthostErrorsSince(dirs.userData, marks, s.allowedErrors)) failures.push(`extension host log: ${entry}`);
  } finally {
    await withTimeout(context.close(), 10_000, 'closing the page').catch(() => undefined);
  }
  return { failures, skipped };
}

async function main(): Promise<number> {
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const tools = loadTestTools();
  const dirs = makeRunDirs('e2e', repoRoot);
  let server: WorkbenchServer | undefined;
  let browser: Browser | undefined;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    const { extensionDir, manifest } = installVsix(tools, dirs);
    const contributed = new Set((manifest.contributes?.commands ?? []).map((c) => c.command));
    const scenarios = loadScenarios();
    cleanUpOnSignals(async () => {
      await server?.stop();
      removeRunDirs(dirs);
    });
    server = await startWorkbenchServer('code-server', tools, dirs);
    browser = await launchChromium(tools);
    for (const { name, scenario: s } of scenarios) {
      // INSTRUCT_STUDIO_TEST_ALL=1 runs a scenario before its feature's manifest entry lands.
      const missing = process.env.INSTRUCT_STUDIO_TEST_ALL ? [] : (s.requires ?? []).filter((c) => !contributed.has(c));
      if (missing.length) {
        skipped++;
        console.log(`  - ${name}: ${s.title} (skipped: the package contributes no ${missing.join(', ')} yet)`);
        continue;
      }
      const started = Date.now();
      const { failures, skipped: why } = await runScenario(browser, server, dirs, tools, extensionDir, name, s);
      const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
      if (why !== undefined && failures.length === 0) {
        skipped++;
        console.log(`  - ${name}: ${s.title} (skipped: ${why})`);
      } else if (failures.length === 0) {
        passed++;
        console.log(`  ✔ ${name}: ${s.title} (${took})`);
      } else {
        failed++;
        console.log(`  ✘ ${name}: ${s.title} (${took})`);
        for (const f of failures) console.log(f.replace(/^/gm, '      '));
      }
    }
  } catch (error) {
    failed++;
    console.error(`[e2e] ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 5000))]);
    await server?.stop();
    await killTree(process.pid, { includeRoot: false });
    if (failed > 0) {
      for (const name of ['code-server.log', 'user-data/logs']) {
        const from = join(dirs.root, name);
        if (existsSync(from)) cpSync(from, join(resultsDir, 'logs', name.replace('/', '-')), { recursive: true });
      }
      console.log(`[e2e] logs kept in ${join(resultsDir, 'logs')}`);
    }
    removeRunDirs(dirs);
  }
  console.log(`[e2e] screenshots in ${resultsDir}`);
  console.log(`e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
