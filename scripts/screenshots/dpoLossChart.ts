// The loss chart's DPO panels, drawn in headless Chromium from a synthetic DPO metrics.jsonl, or a real run's
// (no VS Code): for looking at the chart while its code changes. Builds the chart webview with esbuild into a temp
// folder and writes test-results/screenshots/dpo-loss-chart.png.
//   node --import tsx scripts/screenshots/dpoLossChart.ts [RUN/metrics.jsonl]
// Needs the workbench test tools (scripts/test-tools/install.sh).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { parseMetricsChunk } from '../../src/core/runs/metrics';
import { launchChromium } from '../test-tools/lib/playwright';
import { loadTestTools } from '../test-tools/lib/tools';

const BODY = `<header><button id="export-png"></button><button id="export-csv"></button>
<input id="smoothing" type="range" min="0" max="0.99" step="0.01"><span id="smoothing-value"></span>
<input id="log-scale" type="checkbox"><select id="x-axis"><option value="step">step</option></select></header>
<div id="runs"></div><div id="status"></div><div id="chart-loss" class="chart"></div>
<div class="secondary"><div id="chart-em" class="chart"></div><div id="chart-dpo-rewards" class="chart"></div>
<div id="chart-dpo-accuracy" class="chart"></div><div id="chart-lr" class="chart"></div><div id="chart-grad" class="chart"></div>
<div id="chart-speed" class="chart"></div></div>`;

/** A DPO run as the trainer logs it: loss from ln 2 down, chosen rewards up, rejected down, accuracy towards 1. */
function dpoRows(steps: number): Array<Record<string, number | string>> {
  let seed = 12345;
  const noise = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
  const rows: Array<Record<string, number | string>> = [];
  for (let step = 1; step <= steps; step++) {
    const t = step / steps;
    const chosen = 0.8 * t + 0.15 * noise();
    const rejected = -1.2 * t + 0.15 * noise();
    const margin = chosen - rejected;
    rows.push({
      step, epoch: t, loss: Math.log1p(Math.exp(-margin)) + 0.05 * noise(), lr: 5e-5, grad_norm: 1 + 0.3 * noise(),
      tokens_per_second: 400 + 30 * noise(), elapsed_s: step * 0.5, 'rewards/chosen': chosen, 'rewards/rejected': rejected,
      'rewards/margins': margin, 'rewards/accuracies': Math.min(1, Math.max(0, 0.5 + 0.45 * t + 0.25 * noise())),
      'logps/chosen': -60 + 8 * t, 'logps/rejected': -62 - 12 * t,
    });
    if (step % 25 === 0) rows.push({ split: 'eval', step, elapsed_s: step * 0.5, loss: Math.log1p(Math.exp(-0.8 * margin)), reward_accuracy: 0.5 + 0.35 * t, reward_margin: 0.8 * margin });
  }
  return rows;
}

async function main(): Promise<void> {
  const tools = loadTestTools();
  const tmp = mkdtempSync(join(tmpdir(), 'dpo-chart-'));
  try {
    await esbuild.build({
      entryPoints: ['webview/lossChart/main.ts'], bundle: true, format: 'iife', platform: 'browser', outfile: join(tmp, 'lossChart.js'),
      loader: { '.ttf': 'file', '.css': 'css' }, logLevel: 'error',
    });
    const browser = await launchChromium(tools);
    const page = await (await browser.newContext()).newPage() as unknown as {
      setViewportSize(s: { width: number; height: number }): Promise<void>;
      setContent(html: string): Promise<void>;
      addStyleTag(o: { content: string }): Promise<unknown>;
      addScriptTag(o: { content: string }): Promise<unknown>;
      evaluate<A>(f: (a: A) => unknown, a: A): Promise<unknown>;
      waitForTimeout(ms: number): Promise<void>;
      screenshot(o: { path: string; fullPage: boolean }): Promise<unknown>;
    };
    await page.setViewportSize({ width: 1100, height: 900 });
    const theme = 'body{background:#1e1e1e;--vscode-foreground:#cccccc;--vscode-descriptionForeground:#9d9d9d;--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-charts-green:#89d185;--vscode-charts-purple:#b180d7;--vscode-charts-red:#f14c4c;--vscode-charts-yellow:#cca700}';
    await page.setContent(`<!doctype html><html><head><style>${theme}</style></head><body>${BODY}</body></html>`);
    await page.addStyleTag({ content: readFileSync(join(tmp, 'lossChart.css'), 'utf8') });
    await page.addScriptTag({ content: 'window.__name = (f) => f; window.acquireVsCodeApi = () => ({ postMessage() {}, getState: () => undefined, setState() {} });' });
    await page.addScriptTag({ content: readFileSync(join(tmp, 'lossChart.js'), 'utf8') });
    const file = process.argv[2];
    const rows = file ? parseMetricsChunk(readFileSync(file), true).rows : dpoRows(300);
    const run = { id: file ?? '/runs/prefs-dpo', label: file ? 'a real DPO run' : 'prefs-dpo (synthetic)', status: 'finished', stage: 'dpo' };
    await page.evaluate((m) => {
      window.postMessage({ type: 'runs', runs: [m.run], selected: [m.run.id] }, '*');
      window.postMessage({ type: 'rows', runId: m.run.id, rows: m.rows, reset: true }, '*');
    }, { run, rows });
    await page.waitForTimeout(1000);
    mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/dpo-loss-chart.png', fullPage: true });
    await browser.close();
    console.log('wrote test-results/screenshots/dpo-loss-chart.png');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
