// Every CLI command, by name. Adding a command is a file in this folder and a line here.
import type { CliCommand } from '../command';

export const commands: CliCommand[] = [];
