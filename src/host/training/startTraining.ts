// "Start Training": a short sequence of quick picks where Enter at every step starts a sensible default run.
// The last choices are remembered per workspace; a dataset with errors is refused with a way to the problems.
import * as vscode from 'vscode';
import { basename, dirname, extname, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { TrainRequest } from '../../shared/protocol/trainer';
import { PRESETS } from '../../trainer/config';
import type { ValidationSummary } from '../../shared/protocol/datasetWorker';
import { stageChoice } from './stageChoice';
import { describeModelFolder } from '../../core/modelFolder/describe';
import { isBuiltinModel } from '../../trainer/builtinModel';
import { pickModel } from './modelPick';

export interface TrainingChoices {
  model: string;
  evalMode: 'fraction' | 'file' | 'none';
  evalFile?: string;
  evalFraction: number;
  preset: 'quick' | 'standard' | 'custom';
  custom: { lr?: number; steps?: number; epochs?: number; batchSize?: number; maxMinutes?: number; seed?: number };
  recentModels: string[];
}

export const DEFAULT_CHOICES: TrainingChoices = { model: 'tiny', evalMode: 'fraction', evalFraction: 0.1, preset: 'quick', custom: {}, recentModels: [] };
const STATE_KEY = 'instructStudio.training.lastChoices';

type Validate = (path: string) => Promise<ValidationSummary>;

/** Asks step by step; returns undefined when the user presses Escape at any step. */
export async function askTrainingRequest(state: vscode.Memento, dataset: string, validate: Validate): Promise<TrainRequest | undefined> {
  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Validating ${basename(dataset)}…` },
    () => validate(dataset),
  );
  if (summary.errors > 0) {
    const choice = await vscode.window.showWarningMessage(
      `${basename(dataset)} has ${summary.errors} error${summary.errors === 1 ? '' : 's'} (${summary.problems.filter((p) => p.severity === 'error').slice(0, 1).map((p) => `line ${p.line}: ${p.message}`).join('')}). Fix them before training, or skip the invalid records.`,
      'Open Problems', 'Train on Valid Records Only',
    );
    if (choice === 'Open Problems') {
      await vscode.window.showTextDocument(vscode.Uri.file(dataset));
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      return undefined;
    }
    if (choice !== 'Train on Valid Records Only') return undefined;
  }
  const stage = await askStage(summary);
  if (!stage) return undefined;
  const last: TrainingChoices = { ...DEFAULT_CHOICES, ...state.get<Partial<TrainingChoices>>(STATE_KEY, {}) };
  const choices: TrainingChoices = { ...last, custom: { ...last.custom } };

  // 1. model
  const model = await pickModel(choices.model, choices.recentModels, describeModelFolder);
  if (model === undefined) return undefined;
  choices.model = model;
  if (!isBuiltinModel(model)) choices.recentModels = [model, ...choices.recentModels.filter((m) => m !== model)].slice(0, 5);

  // 2. evaluation split
  type EvalPick = vscode.QuickPickItem & { mode: TrainingChoices['evalMode'] };
  const evalItems: EvalPick[] = [
    { label: `Hold out ${Math.round(choices.evalFraction * 100)}% of the data`, mode: 'fraction' },
    { label: 'From a file…', description: choices.evalFile ? basename(choices.evalFile) : undefined, mode: 'file' },
    { label: 'No evaluation', mode: 'none' },
  ];
  const guessed = guessEvalFile(dataset);
  if (guessed) evalItems.unshift({ label: `Use ${basename(guessed)}`, description: 'found beside the dataset', mode: 'file', detail: guessed });
  const evalPick = await pickDefaultFirst(evalItems, (i) => i.mode === choices.evalMode && (i.mode !== 'file' || !guessed || i.detail === guessed), 'Evaluation split');
  if (!evalPick) return undefined;
  choices.evalMode = evalPick.mode;
  if (evalPick.mode === 'file') {
    if (evalPick.detail) choices.evalFile = evalPick.detail;
    else {
      const file = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Instruction data': ['jsonl', 'json'] }, openLabel: 'Evaluate on this file' });
      if (!file?.[0]) return undefined;
      choices.evalFile = file[0].fsPath;
    }
  }

  // 3. preset
  type PresetPick = vscode.QuickPickItem & { value: TrainingChoices['preset'] };
  const presetItems: PresetPick[] = [
    { label: 'Quick', description: `${PRESETS.quick.steps} steps, a first look in a few minutes`, value: 'quick' },
    { label: 'Standard', description: 'one epoch with the default settings', value: 'standard' },
    { label: 'Custom…', description: 'learning rate, steps or epochs, batch size, time limit, seed', value: 'custom' },
  ];
  const preset = await pickDefaultFirst(presetItems, (i) => i.value === choices.preset, 'Training preset');
  if (!preset) return undefined;
  choices.preset = preset.value;
  if (preset.value === 'custom' && !(await askCustom(choices))) return undefined;

  // 4. output folder
  const suggested = join(dirname(dataset), 'runs', `${basename(dataset, extname(dataset))}-${timestamp()}`);
  const out = await vscode.window.showInputBox({
    title: 'Run folder', prompt: 'Where the checkpoints and metrics go (Enter: the suggestion)', value: suggested,
    validateInput: (v) => (v.trim() ? undefined : 'A folder is needed'),
  });
  if (out === undefined) return undefined;

  await state.update(STATE_KEY, choices);
  return { ...requestFromChoices(dataset, out.trim(), choices, summary.errors > 0), stage };
}

/** SFT or DPO, from the dataset's format (see stageChoice.ts); asks only when the data allows both. */
async function askStage(summary: ValidationSummary): Promise<'sft' | 'dpo' | undefined> {
  const choice = stageChoice(summary);
  if (choice.kind === 'fixed') return choice.stage;
  if (choice.kind === 'mixed') {
    const go = await vscode.window.showWarningMessage(choice.message, { modal: true }, choice.stage === 'dpo' ? 'Train DPO on the Pairs' : 'Train SFT on the Instructions');
    return go ? choice.stage : undefined;
  }
  const pick = await vscode.window.showQuickPick(
    choice.options.map((o) => ({ label: o.label, detail: o.detail, stage: o.stage })),
    { placeHolder: 'Training stage: this dataset holds preference pairs', ignoreFocusOut: true },
  );
  return pick?.stage;
}

export function requestFromChoices(dataset: string, out: string, c: TrainingChoices, skipInvalid: boolean): TrainRequest {
  const overrides: TrainRequest['overrides'] = { ...(c.preset === 'custom' ? {} : PRESETS[c.preset]) };
  if (c.preset === 'custom') {
    for (const [k, v] of Object.entries(c.custom)) if (typeof v === 'number') overrides[k] = v;
    if (typeof c.custom.steps === 'number' && c.custom.epochs === undefined) overrides.epochs = 0;
  }
  if (c.evalMode === 'none') { overrides.evalFraction = 0; overrides.exactMatchSamples = 0; }
  // The fraction also goes into the run's config: a resume reads the saved config, not this request, and without it
  // resumed with the trainer default (5%), a different split that put eval records into training.
  if (c.evalMode === 'fraction') overrides.evalFraction = c.evalFraction;
  return {
    data: dataset,
    eval: c.evalMode === 'file' ? c.evalFile : undefined,
    evalFraction: c.evalMode === 'fraction' ? c.evalFraction : undefined,
    out,
    model: c.model,
    resume: false,
    skipInvalid,
    includeRejected: false,
    overrides,
  };
}

async function askCustom(c: TrainingChoices): Promise<boolean> {
  const ask = async (key: keyof TrainingChoices['custom'], title: string, dflt: number | undefined, check: (n: number) => boolean, hint: string) => {
    const v = await vscode.window.showInputBox({
      title, value: dflt === undefined ? '' : String(dflt), prompt: `${hint} (empty: the default)`,
      validateInput: (s) => (s.trim() === '' || (Number.isFinite(Number(s)) && check(Number(s))) ? undefined : hint),
    });
    if (v === undefined) return false;
    if (v.trim() === '') delete c.custom[key]; else c.custom[key] = Number(v);
    return true;
  };
  return (await ask('lr', 'Learning rate', c.custom.lr, (n) => n > 0 && n < 1, 'a number between 0 and 1, e.g. 0.002'))
    && (await ask('steps', 'Optimizer steps', c.custom.steps, (n) => Number.isInteger(n) && n >= 0, 'a whole number of steps (0: by epochs)'))
    && (await ask('epochs', 'Epochs', c.custom.epochs, (n) => n >= 0, 'a number of passes over the data'))
    && (await ask('batchSize', 'Batch size', c.custom.batchSize, (n) => Number.isInteger(n) && n > 0, 'rows per micro-batch, e.g. 16'))
    && (await ask('maxMinutes', 'Time limit in minutes', c.custom.maxMinutes, (n) => n >= 0, 'minutes (0: none)'))
    && (await ask('seed', 'Seed', c.custom.seed, (n) => Number.isInteger(n), 'a whole number'));
}

/** A quick pick whose active item is the remembered choice, so Enter keeps it. */
async function pickDefaultFirst<T extends vscode.QuickPickItem>(items: T[], isDefault: (i: T) => boolean, placeHolder: string): Promise<T | undefined> {
  const i = items.findIndex(isDefault);
  const ordered = i > 0 ? [items[i], ...items.slice(0, i), ...items.slice(i + 1)] : items;
  return vscode.window.showQuickPick(ordered, { placeHolder, ignoreFocusOut: true });
}

/** `x-train.jsonl` → `x-eval.jsonl` (what "Split Dataset" writes), when it exists. */
export function guessEvalFile(dataset: string): string | undefined {
  const m = /^(.*)[-_.]train(\.jsonl?|\.json)$/.exec(dataset);
  if (!m) return undefined;
  for (const name of ['eval', 'valid', 'validation', 'test']) {
    for (const sep of ['-', '_', '.']) {
      const p = `${m[1]}${sep}${name}${m[2]}`;
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
