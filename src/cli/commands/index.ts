// Every CLI command, by name. Adding a command is a file in this folder and a line here.
import type { CliCommand } from '../command';
import { benchTrain } from './benchTrain';
import { renderCommand } from './render';
import { validateCommand } from './validate';
import { statsCommand } from './stats';
import { convertCommand } from './convert';
import { splitCommand } from './split';
import { dedupeCommand } from './dedupe';
import { trainCommand } from './train';
import { evalCommand } from './eval';
import { generateCommand } from './generate';
import { demoCommand } from './demo';
import { exportCommand } from './export';
import { synthCommand } from './synth';
import { exportRunCommand } from './exportRun';

export const commands: CliCommand[] = [
  benchTrain,
  renderCommand,
  validateCommand,
  statsCommand,
  convertCommand,
  splitCommand,
  dedupeCommand,
  trainCommand,
  evalCommand,
  generateCommand,
  demoCommand,
  exportCommand,
  synthCommand,
  exportRunCommand,
];
