// The two things that fail any scenario whatever it checks itself: an error notification shown to the user, and an
// error logged by the extension host (an uncaught exception, a failed activation, a rejected command).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '../../../scripts/test-tools/lib/playwright';

declare global {
  interface Window {
    __errorToasts?: string[];
  }
}

/**
 * Records every error toast the moment it appears (toasts can hide again before a scenario ends).
 * Runs in the page before the workbench loads.
 */
export async function watchErrorToasts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__errorToasts = [];
    const seen = new WeakSet<Element>();
    const scan = () => {
      for (const toast of Array.from(document.querySelectorAll('.notification-toast'))) {
        if (seen.has(toast) || !toast.querySelector('.codicon-error')) continue;
        seen.add(toast);
        const message = toast.querySelector('.notification-list-item-message')?.textContent ?? toast.textContent ?? '';
        window.__errorToasts!.push(message.trim());
      }
    };
    new MutationObserver(scan).observe(document, { childList: true, subtree: true });
  });
}

export async function errorToasts(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__errorToasts ?? []);
}

/** Extension host logs under the user-data dir: remoteexthost.log (code-server) or exthost.log. */
function exthostLogs(userData: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/exthost\.log$/i.test(name)) out.push(p);
    }
  };
  walk(join(userData, 'logs'));
  return out;
}

/** Where each extension host log ends now, so that a scenario is judged on what it logged itself. */
export function exthostLogMarks(userData: string): Map<string, number> {
  return new Map(exthostLogs(userData).map((f) => [f, statSync(f).size]));
}

/**
 * Noise of the workbench itself on a machine without network or accounts, unrelated to the extension under
 * test. Each entry is specific; anything else at error level fails the scenario.
 */
const WORKBENCH_NOISE: RegExp[] = [
  /getaddrinfo (ENOTFOUND|EAI_AGAIN)/,
  /No signed-in session/,
  // Each scenario opens a new window on the same workspace; the previous window's extension host releases the
  // workspace-storage lock a few seconds after it ends, and the new one logs that it found it taken.
  /EEXIST: file already exists, open '[^']*workspaceStorage[^']*vscode\.lock'/,
];

export function exthostErrorsSince(userData: string, marks: Map<string, number>, allowed: RegExp[] = []): string[] {
  const errors: string[] = [];
  for (const file of exthostLogs(userData)) {
    const from = marks.get(file) ?? 0;
    const text = readFileSync(file, 'utf8').slice(from);
    // An entry starts with a timestamp and runs to the next one: stack traces are part of their entry.
    const entries = text.split(/\n(?=\d{4}-\d{2}-\d{2} )/);
    for (const entry of entries) {
      if (!/^\S+ \S+ \[error\]/.test(entry)) continue;
      if ([...WORKBENCH_NOISE, ...allowed].some((re) => re.test(entry))) continue;
      errors.push(entry.trim());
    }
  }
  return errors;
}
