// The extension under test as the extension host sees it, and its manifest: tests read what the manifest
// contributes so that new commands and settings are covered without editing the tests.
import * as vscode from 'vscode';
import { note } from './report';

export const EXTENSION_ID = 'instruct-studio.instruct-studio';

export interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

export interface Manifest {
  activationEvents?: string[];
  contributes?: {
    commands?: ContributedCommand[];
    menus?: Record<string, { command?: string; submenu?: string }[]>;
    configuration?: { properties?: Record<string, unknown> } | { properties?: Record<string, unknown> }[];
    customEditors?: { viewType: string }[];
  };
}

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this extension host`);
  return ext;
}

export function manifest(): Manifest {
  return extension().packageJSON as Manifest;
}

export function contributedCommands(): ContributedCommand[] {
  return manifest().contributes?.commands ?? [];
}

/** Whether the manifest contributes `command`: a feature's tests run once the feature has landed. */
export function contributes(command: string): boolean {
  return contributedCommands().some((c) => c.command === command);
}

export function configurationProperties(): Record<string, unknown> {
  const conf = manifest().contributes?.configuration;
  const list = Array.isArray(conf) ? conf : conf ? [conf] : [];
  return Object.assign({}, ...list.map((c) => c.properties ?? {}));
}

/** Skips the calling test (or suite, from a before hook) until the manifest contributes `command`. */
export function requireFeature(ctx: Mocha.Context, command: string, feature: string): void {
  // INSTRUCT_STUDIO_TEST_ALL=1 runs them anyway: for checking a feature's tests before its manifest entry lands.
  if (!contributes(command) && !process.env.INSTRUCT_STUDIO_TEST_ALL) {
    note(`skipped: ${feature} has not landed: package.json contributes no ${command}`);
    ctx.skip();
  }
}
