// Runs the trainer child for the editor: one run at a time, its log in the output channel, a status bar item
// while it trains, a cancellable notification while the backend starts, and a clear message when it ends —
// including when the child dies, which never takes the extension host with it.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { startTrainer, type TrainerRun, type RunResult } from '../../trainer/client';
import type { ChildToParent, TrainRequest } from '../../shared/protocol/trainer';
import { outputChannel } from '../log';
import type { RunRegistry } from './runRegistry';
import { LossChartPanel } from './lossChartPanel';

interface ActiveRun {
  request: TrainRequest;
  run: TrainerRun;
  stopping: boolean;
}

export class TrainingController implements vscode.Disposable {
  private active: ActiveRun | undefined;
  private readonly status: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts or ends (tests and the runs view listen). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly extensionUri: vscode.Uri, private readonly registry: RunRegistry) {
    this.status = vscode.window.createStatusBarItem('instructStudio.training', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Instruct Studio Training';
    this.status.command = 'instructStudio.showLossChart';
  }

  get isTraining(): boolean {
    return this.active !== undefined;
  }

  get activeRunDir(): string | undefined {
    return this.active?.request.out;
  }

  /** Starts the child; resolves when it has ended (the result says how). */
  async start(request: TrainRequest): Promise<RunResult> {
    if (this.active) throw new Error(`a run is already training in ${this.active.request.out}; stop it first`);
    const log = outputChannel();
    log.info(`training: ${request.resume ? 'resuming' : 'starting'} ${request.out} (data ${request.data}, model ${request.model})`);
    log.info(`training: settings ${JSON.stringify(request.overrides)}`);
    let firstProgress: () => void = () => {};
    const started = new Promise<void>((resolve) => { firstProgress = resolve; });
    const run = startTrainer(request, (m) => this.onMessage(m, firstProgress), {
      trainerPath: vscode.Uri.joinPath(this.extensionUri, 'dist', 'trainer.js').fsPath,
      // The child must not inherit the extension host's debug/inspector flags.
      execArgv: [],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.active = { request, run, stopping: false };
    void vscode.commands.executeCommand('setContext', 'instructStudio.training', true);
    this.changed.fire();
    await this.registry.add(request.out);
    LossChartPanel.show(this.extensionUri, this.registry, [request.out]);
    this.status.text = '$(sync~spin) Instruct Studio: starting…';
    this.status.tooltip = `Training ${request.out}`;
    this.status.show();
    // The run was added before the trainer wrote run.json (status unknown); once it reports progress, run.json says
    // running, so read it again rather than rely on the file watcher alone (the chart and the view showed "unknown").
    void started.then(() => this.registry.add(request.out));

    // The first seconds (backend start-up, data preparation) get a cancellable notification; then the status bar.
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Instruct Studio: starting training', cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => this.stop());
        progress.report({ message: 'loading the backend and preparing data…' });
        await Promise.race([started, run.done]);
      },
    );

    const result = await run.done;
    firstProgress();
    this.active = undefined;
    void vscode.commands.executeCommand('setContext', 'instructStudio.training', false);
    this.status.hide();
    await this.registry.add(request.out);
    this.changed.fire();
    this.report(request, result);
    return result;
  }

  /** Asks the child to checkpoint and stop; it reports `stopped` when it has. */
  stop(): boolean {
    if (!this.active) return false;
    if (this.active.stopping) { this.active.run.kill(); return true; }
    this.active.stopping = true;
    outputChannel().info('training: stop requested; the trainer saves a checkpoint and exits');
    this.status.text = '$(debug-pause) Instruct Studio: stopping…';
    this.active.run.cancel();
    return true;
  }

  private onMessage(m: ChildToParent, firstProgress: () => void): void {
    const log = outputChannel();
    switch (m.type) {
      case 'log':
        if (m.level === 'warn') log.warn(`trainer: ${m.message}`); else log.info(`trainer: ${m.message}`);
        break;
      case 'progress': {
        firstProgress();
        if (this.active?.stopping) break;
        const eta = m.etaSeconds === null ? '' : ` · ETA ${formatEta(m.etaSeconds)}`;
        this.status.text = `$(pulse) ${m.step}/${m.totalSteps || '?'} · loss ${m.loss.toFixed(3)} · ${Math.round(m.tokensPerSecond)} tok/s${eta}`;
        this.status.tooltip = `Instruct Studio is training ${this.active?.request.out ?? ''}. Click for the loss chart.`;
        break;
      }
      case 'eval':
        log.info(`trainer: eval at step ${m.row.step}: loss ${m.row.loss.toFixed(4)}${m.row.exact_match === null ? '' : `, exact match ${(m.row.exact_match * 100).toFixed(1)}%`}`);
        for (const s of m.samples.slice(0, 3)) log.info(`  [${s.task}${s.unseen ? ', unseen' : ''}] expected ${JSON.stringify(s.expected)} got ${JSON.stringify(s.output)}`);
        break;
      case 'metrics':
        break;
      case 'done':
        log.info(`training: ${m.status} at step ${m.step}: ${m.reason}`);
        break;
      case 'error':
        log.error(`training: ${m.message}`);
        break;
    }
  }

  private report(request: TrainRequest, result: RunResult): void {
    const folder = request.out;
    if (result.status === 'failed') {
      outputChannel().error(`training failed: ${result.reason}`);
      void vscode.window.showErrorMessage(`Training failed: ${result.reason}`, 'Resume from last checkpoint', 'Show Log').then((choice) => {
        if (choice === 'Resume from last checkpoint') void vscode.commands.executeCommand('instructStudio.resumeRun', vscode.Uri.file(folder));
        else if (choice === 'Show Log') outputChannel().show();
      });
      return;
    }
    const best = result.bestEvalLoss === null ? '' : ` Best eval loss ${result.bestEvalLoss.toFixed(4)}.`;
    const verb = result.status === 'finished' ? 'finished' : 'stopped (checkpoint saved; resume it from the Runs view)';
    void vscode.window.showInformationMessage(`Training ${verb} at step ${result.step}.${best}`, 'Open Run Folder').then((choice) => {
      if (choice) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(join(folder, 'run.json')));
    });
  }

  dispose(): void {
    // Closing the window stops the run with a checkpoint, as Stop Training would.
    this.active?.run.cancel();
    this.status.dispose();
    this.changed.dispose();
  }
}

function formatEta(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}
