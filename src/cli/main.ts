// `instruct-studio` — the command line over the same core as the extension.
import { parseArgs, formatFlags, UsageError, InputError } from './args';
import { commands } from './commands/index';
import type { CliIO } from './command';

const VERSION = '0.1.0';

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return [
    'instruct-studio — instruction-tuning datasets, templates, training and evaluation',
    '',
    'usage: instruct-studio <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `instruct-studio <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topHelp() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') { io.stdout(VERSION + '\n'); return 0; }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) { io.stderr(`instruct-studio: unknown command "${name}" (see --help)\n`); return 2; }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`usage: instruct-studio ${cmd.name} ${cmd.usage}\n\n${cmd.summary}\n\noptions:\n${formatFlags(cmd.flags)}\n`);
    return 0;
  }
  try {
    return await cmd.run(parseArgs(rest, cmd.flags), io);
  } catch (e) {
    if (e instanceof UsageError) { io.stderr(`instruct-studio ${cmd.name}: ${e.message}\nusage: instruct-studio ${cmd.name} ${cmd.usage}\n`); return 2; }
    if (e instanceof InputError) { io.stderr(`instruct-studio ${cmd.name}: ${e.message}\n`); return 2; }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && typeof err.path === 'string') {
      io.stderr(`instruct-studio ${cmd.name}: ${err.path}: ${describeErrno(err)}\n`);
      return 2;
    }
    io.stderr(`instruct-studio ${cmd.name}: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env.INSTRUCT_STUDIO_DEBUG) io.stderr(String(err?.stack) + '\n');
    return 3;
  }
}

export function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory, expected a file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    default: return err.message;
  }
}

if (require.main === module) {
  const io: CliIO = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`instruct-studio: ${e?.message ?? e}\n`); process.exitCode = 3; },
  );
}
