// Per-task bar chart in plain SVG: token F1 of the tuned model per task, with the base model's (and a compared
// evaluation's) beside it.
import type { EvalReport } from '../../src/shared/protocol/evaluation';
import { el, pct } from './dom';
import { percentTicks } from '../shared/percent';

const NS = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function taskChart(r: EvalReport, other: EvalReport | null): HTMLElement {
  const tasks = Object.keys(r.per_task).sort();
  if (!tasks.length) return el('p', { class: 'meta' }, 'Records carry no "task" or "category", so there is no per-task breakdown.');
  const series: Array<{ cls: string; label: string; value: (t: string) => number | null }> = [
    { cls: 'bar-tuned', label: 'tuned', value: (t) => r.per_task[t]?.token_f1 ?? null },
  ];
  if (r.base_results) series.push({ cls: 'bar-base', label: 'base', value: (t) => r.base_results!.per_task[t]?.token_f1 ?? null });
  if (other) series.push({ cls: 'bar-other', label: 'compared', value: (t) => other.per_task[t]?.token_f1 ?? null });
  const labelW = 110;
  const barH = 12;
  const groupH = series.length * barH + 8;
  const width = 420;
  const plotW = width - labelW - 50;
  const axisH = 16;
  const plotH = tasks.length * groupH;
  const root = svg('svg', { width: '100%', viewBox: `0 0 ${width} ${plotH + axisH + 4}`, role: 'img', 'aria-label': 'Token F1 per task' });
  // The axis is in percent, like every label: bars are fractions 0–1 scaled to the plot width.
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  percentTicks(ticks).forEach((label, k) => {
    const x = labelW + ticks[k] * plotW;
    root.append(svg('line', { x1: x, x2: x, y1: 0, y2: plotH + 2, class: 'axis' }),
      svg('text', { x, y: plotH + axisH, class: 'tick', 'text-anchor': k === 0 ? 'start' : k === ticks.length - 1 ? 'end' : 'middle' }, label));
  });
  tasks.forEach((t, i) => {
    const y0 = i * groupH + 2;
    root.append(svg('text', { x: 0, y: y0 + (series.length * barH) / 2 + 4 }, t.length > 16 ? `${t.slice(0, 15)}…` : t));
    series.forEach((s, k) => {
      const v = s.value(t);
      const y = y0 + k * barH;
      const w = v === null ? 0 : Math.max(1, Math.min(1, v) * plotW);
      const bar = svg('rect', { x: labelW, y, width: w, height: barH - 2, class: s.cls });
      bar.append(svg('title', {}, `${t} · ${s.label}: token F1 ${pct(v)}`));
      root.append(bar, svg('text', { x: labelW + w + 4, y: y + barH - 3 }, pct(v)));
    });
  });
  const legend = el('div', { class: 'legend' }, ...series.map((s) => el('span', {}, el('span', { class: `swatch ${s.cls.replace('bar', 'sw')}` }), `${s.label} token F1`)));
  const wrap = el('div', { id: 'task-chart' }, legend);
  wrap.append(root);
  return wrap;
}
