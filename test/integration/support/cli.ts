// The extension's own CLI bundle (dist/cli.js) over the same core: the editor must report what it reports.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { extension } from './extension';

export interface CliProblem {
  line: number;
  column: number;
  endColumn?: number;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

export interface CliResult {
  file: string;
  format: string;
  records: number;
  problems: CliProblem[];
}

/** `instruct-studio validate --json FILE`; exit code 1 only means "errors found". */
export function cliValidate(file: string, extraArgs: string[] = []): CliResult {
  const cli = join(extension().extensionPath, 'dist', 'cli.js');
  try {
    const out = execFileSync(process.execPath, [cli, 'validate', '--json', ...extraArgs, file], {
      // Inside a desktop VS Code the extension host is Electron: make it behave as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      encoding: 'utf8',
    });
    return JSON.parse(out) as CliResult;
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    if (e.status === 1 && e.stdout) return JSON.parse(e.stdout) as CliResult;
    throw new Error(`cli validate failed (${e.status}): ${e.stderr ?? String(error)}`);
  }
}
