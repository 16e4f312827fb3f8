// What a user does in the workbench, in the words of the scenarios: open a file by name, run a command by its
// title, read the Problems panel, look into a webview. Selectors of VS Code's DOM live here and nowhere else.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FrameLocator, Locator, Page } from '../../../scripts/test-tools/lib/playwright';
import { SkipScenario } from './scenario';

export interface WorkbenchContext {
  page: Page;
  /** The workspace folder open in the workbench (a fresh copy of the samples and fixtures). */
  workspace: string;
  /** The installed extension's folder (the packaged .vsix, unpacked by code-server). */
  extensionDir: string;
  /** Node that runs the extension's CLI for expected values. */
  node: string;
  /** Where screenshots go (test-results/e2e). */
  resultsDir: string;
  /** The server's user-data folder: user settings live in User/settings.json there. */
  userData: string;
}

export class Workbench {
  readonly page: Page;
  readonly workspace: string;
  readonly extensionDir: string;
  readonly resultsDir: string;
  private readonly node: string;
  private readonly userData: string;

  constructor(ctx: WorkbenchContext) {
    this.page = ctx.page;
    this.workspace = ctx.workspace;
    this.extensionDir = ctx.extensionDir;
    this.node = ctx.node;
    this.resultsDir = ctx.resultsDir;
    this.userData = ctx.userData;
  }

  /** Waits until the workbench has restored and the extension host is up (the status bar shows). */
  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await this.page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible', timeout: 60_000 });
    // Until the extension host has started, commands are missing from the palette and file search is slow.
    const activating = this.page.locator('.part.statusbar').filter({ hasText: 'Activating Extensions' });
    const deadline = Date.now() + 90_000;
    await this.page.waitForTimeout(500);
    while ((await activating.count()) > 0 && Date.now() < deadline) await this.page.waitForTimeout(250);
  }

  private quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Picks the row whose label is `label` in the open quick input, waiting for it to be listed. */
  private async pick(label: string): Promise<void> {
    const row = this.quickInput()
      .locator('.monaco-list-row')
      .filter({ hasText: label, visible: true })
      .first();
    // File search indexes the workspace on first use: slow on a loaded 2-core machine.
    await row.waitFor({ state: 'visible', timeout: 45_000 });
    await this.page.keyboard.press('Enter');
    await this.quickInput().waitFor({ state: 'hidden', timeout: 15_000 });
  }

  /** Ctrl+P, the file's name, Enter; then waits for its editor tab. */
  async quickOpen(fileName: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    await this.quickInput().waitFor({ state: 'visible' });
    await this.page.keyboard.type(fileName, { delay: 20 });
    await this.pick(fileName);
    await this.editorTab(fileName).waitFor({ state: 'visible', timeout: 15_000 });
  }

  /**
   * Ctrl+P with the file's absolute path, which Quick Open resolves without its file index (a file written a moment
   * ago may not be indexed yet); waits for the editor tab.
   */
  async openByPath(path: string): Promise<void> {
    const name = basename(path);
    await this.page.keyboard.press('Control+P');
    await this.quickInput().waitFor({ state: 'visible' });
    await this.page.keyboard.type(path, { delay: 5 });
    await this.quickInput().locator('.monaco-list-row').filter({ hasText: name }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await this.page.keyboard.press('Enter');
    await this.editorTab(name).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** Waits until the file on disk holds exactly `expected` (a save reaches the disk asynchronously). */
  async waitForFile(path: string, expected: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = readFileSync(path, 'utf8');
      if (last === expected) return;
      await this.page.waitForTimeout(200);
    }
    assert.equal(last, expected, `${path} on disk`);
  }

  editorTab(label: string): Locator {
    return this.page.locator('.tabs-container .tab').filter({ hasText: label }).first();
  }

  /**
   * F1, the command's title as the palette shows it, Enter. `opensPicker`: the command asks for a choice in the
   * same quick input (a theme, a run), which is left open for the scenario to answer.
   */
  async runCommand(title: string, { opensPicker = false } = {}): Promise<void> {
    // On a loaded 2-core machine a keystroke can land before the palette has focus (CI once saw no row in 30 s):
    // the typed filter is checked, and the palette is opened a second time before giving up.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('F1');
      await this.quickInput().waitFor({ state: 'visible' });
      const input = this.quickInput().locator('input').first();
      await this.page.keyboard.type(title, { delay: 10 });
      if ((await input.inputValue()) !== `>${title}`) await input.fill(`>${title}`);
      // Only a row whose label is this very title: a prefix match would run a different command.
      const row = this.quickInput().locator('.monaco-list-row').filter({ hasText: title, visible: true }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 20_000 });
      } catch (error) {
        const typed = await input.inputValue().catch(() => '?');
        const rows = await this.quickInput().locator('.monaco-list-row').allInnerTexts().catch(() => []);
        const seen = `the palette shows ${JSON.stringify(typed)} with ${rows.length} rows: ${rows.slice(0, 5).join(' | ')}`;
        await this.page.keyboard.press('Escape');
        if (attempt >= 2) throw new Error(`"${title}" is not in the command palette (${seen})`, { cause: error });
        console.log(`    (retrying the palette for "${title}": ${seen})`);
        continue;
      }
      const label = (await row.locator('.label-name').first().innerText()).trim();
      if (label !== title) throw new Error(`the palette's first match for "${title}" is "${label}"`);
      break;
    }
    await this.page.keyboard.press('Enter');
    if (!opensPicker) {
      await this.quickInput().waitFor({ state: 'hidden', timeout: 15_000 });
      return;
    }
    const input = this.quickInput().locator('input').first();
    const deadline = Date.now() + 15_000;
    while ((await input.inputValue()).startsWith('>')) {
      if (Date.now() > deadline) throw new Error(`"${title}" opened no picker`);
      await this.page.waitForTimeout(100);
    }
  }

  /** Opens the Problems panel and returns its marker rows' text once at least `atLeast` rows show. */
  async problems(atLeast = 1): Promise<string[]> {
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)').catch(async () => {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+Shift+M');
    });
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await this.page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 15_000 });
    const deadline = Date.now() + 20_000;
    while ((await rows.count()) < atLeast) {
      if (Date.now() > deadline) throw new Error(`the Problems panel shows ${await rows.count()} rows, expected at least ${atLeast}`);
      await this.page.waitForTimeout(200);
    }
    return rows.allInnerTexts();
  }

  /** The content of the active webview: the outer iframe the workbench owns, then the extension's own document. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }

  /**
   * Runs the packaged extension's CLI (dist/cli.js) for values a scenario compares the UI against.
   * A CLI command that has not landed yet skips the scenario rather than failing it.
   */
  cli(args: string[]): string {
    try {
      return execFileSync(this.node, [join(this.extensionDir, 'dist', 'cli.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const e = error as { status?: number; stdout?: string; stderr?: string };
      if (e.status === 1 && e.stdout) return e.stdout;
      if (e.status === 2 && /unknown command/.test(e.stderr ?? '')) this.skip(`the CLI has no "${args[0]}" command yet`);
      throw new Error(`instruct-studio ${args.join(' ')} exited with ${e.status}: ${e.stderr ?? String(error)}`);
    }
  }

  skip(reason: string): never {
    throw new SkipScenario(reason);
  }

  /** An extra screenshot beside the scenario's own: test-results/e2e/<name>.png. */
  async screenshot(name: string): Promise<string> {
    const path = join(this.resultsDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /**
   * Changes user settings as a user editing settings.json would; the workbench applies the file as it changes.
   * The runner restores the run's settings before the next scenario.
   */
  setUserSettings(patch: Record<string, unknown>): void {
    const file = join(this.userData, 'User', 'settings.json');
    const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...current, ...patch }, null, 2) + '\n');
  }

  workspaceFile(relativePath: string): string {
    return join(this.workspace, relativePath);
  }
}
