// Killing by PID, tree-wide: the VS Code server's extension hosts, pty host and file watchers outlive their
// parent if only the parent is killed, and would keep ports, sockets and CPU after a test run.
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in field 2 may contain spaces or parentheses: parse after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** All live descendants of `root` (not `root` itself), deepest last. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const next = children.get(queue.shift()!) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Sends SIGTERM to `root` and every descendant, then SIGKILL to whatever is left after `graceMs`.
 * The tree is collected before signalling, because children are re-parented to init once their parent dies.
 */
export async function killTree(root: number, { includeRoot = true, graceMs = 2000 } = {}): Promise<number> {
  const pids = [...descendants(root), ...(includeRoot ? [root] : [])];
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const stubborn = pids.filter(alive);
  for (const pid of stubborn) signal(pid, 'SIGKILL');
  return pids.length;
}

/**
 * On Ctrl+C or a SIGTERM from CI, runs `cleanup` (stop the server) and then kills everything below this process:
 * the server runs in its own process group and would otherwise survive the launcher.
 */
export function cleanUpOnSignals(cleanup: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      console.error(`[test-tools] ${sig}: stopping the workbench and its process tree`);
      void cleanup()
        .catch(() => undefined)
        .then(() => killTree(process.pid, { includeRoot: false, graceMs: 1000 }))
        .finally(() => process.exit(130));
    });
  }
}
