// Starts a workbench server on 127.0.0.1 and hands back how to reach and stop it.
// Two flavours: the VS Code server bundled in code-server (only it accepts --enable-smoke-test-driver, which the
// extension-host tests need) and code-server itself (what the end-to-end tests drive, as a user would).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { freePort } from './freePort';
import { killTree } from './processTree';
import type { RunDirs } from './runDirs';
import { codeServerEntry, vscodeServerMain, type TestTools } from './tools';

export interface WorkbenchServer {
  port: number;
  origin: string;
  pid: number;
  /** Server stdout and stderr, for a failure report. */
  logFile: string;
  stop(): Promise<void>;
}

export type ServerFlavour = 'vscode-server' | 'code-server';

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 400);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** The environment of a tool run: Node 24 first on PATH, and the run's own TMPDIR. */
export function toolEnv(tools: TestTools, dirs: RunDirs, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(tools.node)}:${process.env.PATH ?? ''}`, TMPDIR: dirs.tmp, ...extra };
  // The launcher's own Node options (tsx's loader) must not leak into the server or its extension hosts.
  delete env.NODE_OPTIONS;
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

export async function startWorkbenchServer(
  flavour: ServerFlavour,
  tools: TestTools,
  dirs: RunDirs,
  extraEnv: Record<string, string> = {},
): Promise<WorkbenchServer> {
  const port = await freePort();
  const common = ['--disable-telemetry', '--disable-workspace-trust', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  const args =
    flavour === 'vscode-server'
      ? [vscodeServerMain(tools), '--host', '127.0.0.1', '--port', String(port), '--without-connection-token',
         '--accept-server-license-terms', '--enable-smoke-test-driver', '--server-data-dir', dirs.serverData, ...common]
      : [codeServerEntry(tools), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-update-check',
         '--disable-getting-started-override', ...common, dirs.workspace];
  const logFile = join(dirs.root, `${flavour}.log`);
  const log = createWriteStream(logFile);
  // Its own process group, so that a kill reaches the extension hosts it forks even if the tree walk misses one.
  const child = spawn(tools.node, args, { env: toolEnv(tools, dirs, extraEnv), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${flavour}`);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));

  const stop = async (): Promise<void> => {
    await killTree(pid);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already empty.
    }
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (!(await httpOk(`${origin}/`))) {
    if (exited !== undefined) throw new Error(`${flavour} exited with ${exited} before listening; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${flavour} did not answer on ${origin} within 90 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, origin, pid, logFile, stop };
}
