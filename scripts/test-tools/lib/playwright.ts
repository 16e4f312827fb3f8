// playwright-core lives in the test-tools cache, not in package.json, so its types are not installed with the
// project. These interfaces type the part of its API the launchers and scenarios use; the module itself is
// loaded from the cache at run time.
import { createRequire } from 'node:module';
import type { TestTools } from './tools';

export interface ConsoleMessage {
  type(): string;
  text(): string;
}

export interface WaitOptions {
  state?: 'attached' | 'detached' | 'visible' | 'hidden';
  timeout?: number;
}

export interface Locator {
  locator(selector: string): Locator;
  frameLocator(selector: string): FrameLocator;
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  filter(options: { hasText?: string | RegExp; visible?: boolean }): Locator;
  waitFor(options?: WaitOptions): Promise<void>;
  click(options?: { timeout?: number; button?: 'left' | 'right' }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  hover(options?: { timeout?: number }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  focus(options?: { timeout?: number }): Promise<void>;
  pressSequentially(text: string, options?: { delay?: number; timeout?: number }): Promise<void>;
  check(options?: { timeout?: number }): Promise<void>;
  selectOption(value: string | string[], options?: { timeout?: number }): Promise<string[]>;
  inputValue(options?: { timeout?: number }): Promise<string>;
  isChecked(options?: { timeout?: number }): Promise<boolean>;
  isEnabled(options?: { timeout?: number }): Promise<boolean>;
  press(key: string, options?: { timeout?: number }): Promise<void>;
  count(): Promise<number>;
  isVisible(): Promise<boolean>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  innerText(options?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  evaluate<R>(fn: (element: Element) => R): Promise<R>;
  screenshot(options?: { path?: string }): Promise<Buffer>;
}

export interface FrameLocator {
  locator(selector: string): Locator;
  frameLocator(selector: string): FrameLocator;
}

export interface Keyboard {
  press(key: string, options?: { delay?: number }): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
}

export interface Page {
  goto(url: string, options?: { waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit'; timeout?: number }): Promise<unknown>;
  exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<void>;
  on(event: 'console', listener: (message: ConsoleMessage) => void): Page;
  on(event: 'pageerror', listener: (error: Error) => void): Page;
  keyboard: Keyboard;
  locator(selector: string): Locator;
  frameLocator(selector: string): FrameLocator;
  screenshot(options?: { path?: string; fullPage?: boolean }): Promise<Buffer>;
  waitForTimeout(ms: number): Promise<void>;
  reload(options?: { waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit'; timeout?: number }): Promise<unknown>;
  waitForFunction<R>(fn: () => R, arg?: undefined, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  evaluate<R>(fn: () => R): Promise<R>;
  addInitScript(script: () => void): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface Browser {
  newContext(options?: { viewport?: { width: number; height: number }; deviceScaleFactor?: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

interface PlaywrightCore {
  chromium: {
    launch(options: { executablePath: string; args: string[]; headless: boolean; timeout?: number }): Promise<Browser>;
  };
}

/** Flags measured on these machines: no sandbox as root, no GPU, and nothing that reaches the network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(tools: TestTools): Promise<Browser> {
  const require = createRequire(__filename);
  const playwright = require(tools.playwrightCore) as PlaywrightCore;
  return playwright.chromium.launch({ executablePath: tools.chromium, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}
