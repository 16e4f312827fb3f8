// Loss chart at 100k rows per series, in real headless Chromium: the built webview (dist/webview/lossChart.js/.css)
// in a page with a fake acquireVsCodeApi, two runs of 100k train rows (loss, lr, grad_norm, tokens/s) and an eval
// row every 100 steps. Timed, each a redraw after one live `rows` message (10 new rows per run):
//   redraw:    the message handler plus the throttled draw (its timer callback and uPlot's deferred paint), not the
//              throttle wait itself; target 16 ms (one frame).
//   reference: uPlot alone drawing the same two train-loss series, all 100k points each, no downsampling.
// Needs the workbench test tools (scripts/test-tools/install.sh) and `npm run build`; skips with a message otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../scripts/test-tools/lib/playwright';
import { loadTestTools, type TestTools } from '../scripts/test-tools/lib/tools';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const REDRAWS = 30;
const CHUNK = 20_000; // MAX_ROWS_PER_MESSAGE in src/shared/protocol/lossChart.ts

interface Page {
  setContent(html: string): Promise<void>;
  addStyleTag(o: { content: string }): Promise<unknown>;
  addScriptTag(o: { content: string }): Promise<unknown>;
  evaluate<R, A>(f: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  setViewportSize(s: { width: number; height: number }): Promise<void>;
}

const BODY = `<header><button id="export-png"></button><button id="export-csv"></button>
<input id="smoothing" type="range" min="0" max="0.99" step="0.01"><span id="smoothing-value"></span>
<input id="log-scale" type="checkbox"><select id="x-axis"><option value="step">step</option></select></header>
<div id="runs"></div><div id="status"></div><div id="chart-loss" class="chart"></div>
<div class="secondary"><div id="chart-em" class="chart"></div><div id="chart-dpo-rewards" class="chart"></div><div id="chart-dpo-accuracy" class="chart"></div>
<div id="chart-lr" class="chart"></div><div id="chart-grad" class="chart"></div><div id="chart-speed" class="chart"></div></div>`;

/** Rows as the trainer writes them, for steps [from, to): a noisy decaying loss and an eval row every 100 steps. */
function rowsFor(run: number, from: number, to: number): Record<string, number | string>[] {
  const rows: Record<string, number | string>[] = [];
  let seed = (run + 1) * 7919 + from;
  const noise = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
  for (let step = from; step < to; step++) {
    const loss = 5 * Math.exp(-step / 20_000) + 0.8 + 0.3 * noise() + run * 0.05;
    rows.push({ step, epoch: step / 5000, loss, lr: 2e-3 * Math.min(1, step / 30), grad_norm: 1 + 0.5 * noise(), tokens_per_second: 600 + 50 * noise(), elapsed_s: step * 0.4 });
    if (step % 100 === 0) rows.push({ split: 'eval', step, elapsed_s: step * 0.4, loss: loss + 0.2, exact_match: Math.min(1, step / ROWS) });
  }
  return rows;
}

/** tsx compiles the functions passed to page.evaluate with esbuild's keepNames, which calls a `__name` helper. */
const KEEP_NAMES = 'window.__name = (f) => f;';
const quantile = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const ms = (v: number) => `${v.toFixed(1)} ms`;

async function chartPage(tools: TestTools): Promise<{ page: Page; close: () => Promise<void> }> {
  const browser = await launchChromium(tools);
  const page = (await (await browser.newContext()).newPage()) as unknown as Page;
  await page.setViewportSize({ width: 1200, height: 1000 });
  return { page, close: () => browser.close() };
}

async function benchChart(tools: TestTools): Promise<number[]> {
  const { page, close } = await chartPage(tools);
  try {
    const errors: string[] = [];
    (page as unknown as { on(e: string, f: (x: { message?: string; text?: () => string }) => void): void }).on('pageerror', (e) => errors.push(e.message ?? ''));
    await page.setContent(`<!doctype html><html><body>${BODY}</body></html>`);
    await page.addScriptTag({ content: KEEP_NAMES });
    await page.addStyleTag({ content: readFileSync('dist/webview/lossChart.css', 'utf8') });
    // The fake VS Code API, and a hook on the page's timers: the chart's throttled draw is a setTimeout callback, so
    // the bench times the callback and the microtasks after it (uPlot paints in a microtask after setData).
    await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      w.acquireVsCodeApi = () => ({ postMessage() {}, getState: () => undefined, setState() {} });
      const draws: number[] = [];
      w.__draws = draws;
      const orig = window.setTimeout.bind(window);
      (window as unknown as { setTimeout: unknown }).setTimeout = (f: () => void, t?: number) => orig(() => {
        const t0 = performance.now();
        f();
        const ch = new MessageChannel();
        ch.port1.onmessage = () => draws.push(performance.now() - t0);
        ch.port2.postMessage(0);
      }, t);
    }, undefined);
    await page.addScriptTag({ content: readFileSync('dist/webview/lossChart.js', 'utf8') });
    const runs = [0, 1].map((i) => ({ id: `/runs/r${i}`, label: `r${i}`, status: 'running' }));
    await page.evaluate((r) => {
      const w = window as unknown as Record<string, unknown>;
      const handled: number[] = [];
      w.__handled = handled;
      // Registered after the chart's listener: the time from posting to here is the chart's message handling.
      window.addEventListener('message', () => handled.push(performance.now() - (w.__posted as number)));
      window.postMessage({ type: 'runs', runs: r, selected: r.map((x) => x.id) }, '*');
    }, runs);
    for (let run = 0; run < 2; run++) {
      for (let from = 0; from < ROWS; from += CHUNK) {
        await page.evaluate((m) => window.postMessage(m, '*'), { type: 'rows', runId: runs[run].id, rows: rowsFor(run, from, Math.min(ROWS, from + CHUNK)), reset: false });
      }
    }
    await page.evaluate(() => new Promise((r) => setTimeout(r, 600)), undefined);
    const samples: number[] = [];
    for (let i = 0; i < REDRAWS; i++) {
      const step = ROWS + i * 10;
      const t = await page.evaluate(async (msgs) => {
        const w = window as unknown as { __draws: number[]; __handled: number[]; __posted: number };
        const nDraws = w.__draws.length;
        const nHandled = w.__handled.length;
        for (const m of msgs) { w.__posted = performance.now(); window.dispatchEvent(new MessageEvent('message', { data: m })); }
        const handle = w.__handled.slice(nHandled).reduce((a, b) => a + b, 0);
        const deadline = performance.now() + 5000;
        while (w.__draws.length === nDraws && performance.now() < deadline) await new Promise((r) => requestAnimationFrame(r));
        return handle + (w.__draws[nDraws] ?? NaN);
      }, [0, 1].map((run) => ({ type: 'rows', runId: runs[run].id, rows: rowsFor(run, step, step + 10), reset: false })));
      samples.push(t);
      await page.evaluate(() => new Promise((r) => setTimeout(r, 300)), undefined);
    }
    const drawn = await page.evaluate(() => document.querySelectorAll('#chart-loss canvas').length, undefined);
    if (drawn === 0) throw new Error(`the loss chart drew no canvas${errors.length ? `: ${errors.join('; ')}` : ''} (samples ${samples.slice(0, 3).join(', ')})`);
    return samples;
  } finally {
    await close();
  }
}

async function benchReference(tools: TestTools): Promise<number[]> {
  const { page, close } = await chartPage(tools);
  try {
    await page.setContent('<!doctype html><html><body><div id="c"></div></body></html>');
    await page.addScriptTag({ content: KEEP_NAMES });
    await page.addStyleTag({ content: readFileSync('node_modules/uplot/dist/uPlot.min.css', 'utf8') });
    await page.addScriptTag({ content: readFileSync('node_modules/uplot/dist/uPlot.iife.min.js', 'utf8') });
    const ys = [0, 1].map((run) => rowsFor(run, 0, ROWS).filter((r) => r.split === undefined).map((r) => r.loss as number));
    return await page.evaluate(async ({ ys, n, reps }) => {
      const UPlot = (window as unknown as { uPlot: new (o: unknown, d: unknown, el: HTMLElement) => { setData(d: unknown, reset: boolean): void } }).uPlot;
      const xs = Array.from({ length: n }, (_, i) => i);
      const u = new UPlot({ width: 1150, height: 320, series: [{}, { stroke: 'blue' }, { stroke: 'orange' }], scales: { x: { time: false } } }, [xs, ...ys], document.getElementById('c')!);
      const out: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        u.setData([xs, ...ys], true);
        await new Promise<void>((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0); });
        out.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
      return out;
    }, { ys, n: ROWS, reps: REDRAWS });
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  let tools: TestTools;
  try { tools = loadTestTools(); } catch (e) { console.log(`lossChart: skipped: ${(e as Error).message}`); return; }
  if (!existsSync(join('dist', 'webview', 'lossChart.js'))) { console.log('lossChart: skipped: dist/webview/lossChart.js is missing (npm run build)'); return; }
  const chart = await benchChart(tools);
  const ref = await benchReference(tools);
  const [m, p95, rm, rp95] = [quantile(chart, 0.5), quantile(chart, 0.95), quantile(ref, 0.5), quantile(ref, 0.95)];
  console.log(`lossChart: 2 runs × ${ROWS} train rows (+ eval every 100 steps), ${REDRAWS} live redraws`);
  console.log(`  redraw (handler + throttled draw, 6 charts): median ${ms(m)}, p95 ${ms(p95)}; target 16 ms: ${p95 <= 16 ? 'met' : 'NOT met'}`);
  console.log(`  reference (uPlot alone, 2 × ${ROWS} points, no downsampling): median ${ms(rm)}, p95 ${ms(rp95)}`);
  console.log(`  ratio redraw / reference (median): ${(m / rm).toFixed(2)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
