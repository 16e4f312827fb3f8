// Every run gets its own folders: stray vscode-ipc-* sockets, extension caches and workbench state from an
// earlier run would otherwise leak into this one (or collide with a run going on beside it).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface RunDirs {
  root: string;
  /** Given to the server as TMPDIR. */
  tmp: string;
  userData: string;
  serverData: string;
  extensions: string;
  workspace: string;
}

/** Workspace settings that keep the workbench quiet and deterministic: no welcome page, no git scanning. */
const WORKSPACE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'git.enabled': false,
  'files.autoSave': 'off',
};

/**
 * Application-wide settings (they are refused in workspace settings, with an error toast): no update checks,
 * no telemetry, no experiments, no chat side bar covering the editor in screenshots.
 */
const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export function makeRunDirs(kind: string, repoRoot: string): RunDirs {
  const root = mkdtempSync(join(tmpdir(), `instruct-studio-${kind}-`));
  const dirs: RunDirs = {
    root,
    tmp: join(root, 'tmp'),
    userData: join(root, 'user-data'),
    serverData: join(root, 'server-data'),
    extensions: join(root, 'extensions'),
    workspace: join(root, 'workspace'),
  };
  for (const d of [dirs.tmp, dirs.userData, dirs.serverData, dirs.extensions, dirs.workspace]) mkdirSync(d, { recursive: true });
  fillWorkspace(dirs.workspace, repoRoot);
  resetUserSettings(dirs);
  return dirs;
}

/** Puts the user settings back as a run starts them: what one scenario changes (a theme) must not leak into the next. */
export function resetUserSettings(dirs: RunDirs): void {
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2) + '\n');
}

/** The workspace a test opens: the bundled samples at its root, the integration fixtures under fixtures/. */
function fillWorkspace(workspace: string, repoRoot: string): void {
  const samples = resolve(repoRoot, 'media', 'samples');
  if (existsSync(samples)) {
    for (const name of readdirSync(samples)) cpSync(join(samples, name), join(workspace, name), { recursive: true });
  }
  const fixtures = resolve(repoRoot, 'test', 'fixtures', 'integration');
  if (existsSync(fixtures)) cpSync(fixtures, join(workspace, 'fixtures'), { recursive: true });
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(WORKSPACE_SETTINGS, null, 2) + '\n');
}

export function removeRunDirs(dirs: RunDirs): void {
  if (process.env.INSTRUCT_STUDIO_KEEP_RUN) {
    console.log(`[run] kept ${dirs.root}`);
    return;
  }
  rmSync(dirs.root, { recursive: true, force: true, maxRetries: 3 });
}
