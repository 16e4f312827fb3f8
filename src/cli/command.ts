import type { FlagSpec, ParsedArgs } from './args';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** True when stdout is a terminal (progress bars, colour). */
  isTTY: boolean;
  cwd: string;
}

export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line after the command name, e.g. `FILE... [--json]`. */
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Returns the exit code: 0 ok, 1 the input has errors (e.g. validation failed), 2 usage or I/O error. */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
