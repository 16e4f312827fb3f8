// Every CLI command, by name. Adding a command is a file in this folder and a line here.
import type { CliCommand } from '../command';
import { benchTrain } from './benchTrain';

export const commands: CliCommand[] = [
  benchTrain,
];
