// A token-length histogram drawn with uPlot (canvas, no eval, no inline <style>): bars per bin, themed colours,
// the hovered bin's range and count in a caption under the chart.
import uPlot from 'uplot';
import type { Histogram } from '../../src/core/dataset/types';
import { chartTheme } from './theme';
import { h } from './dom';
import { count, tokens } from './format';

const WHOLE_INCREMENTS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000].map((p) => m * p)).sort((a, b) => a - b);

export interface HistogramChart {
  element: HTMLElement;
  redraw(): void;
  destroy(): void;
}

export function histogramChart(title: string, hist: Histogram, series: 'prompt' | 'response'): HistogramChart {
  const caption = h('div', { class: 'chart-caption' }, captionText(hist));
  const plotHost = h('div', { class: 'chart-plot', role: 'img', 'aria-label': `${title}: histogram of ${count(sum(hist.counts))} records` });
  const element = h('figure', { class: 'chart' }, h('figcaption', {}, title), plotHost, caption);
  let plot: uPlot | undefined;

  const draw = () => {
    plot?.destroy();
    const width = Math.max(240, Math.floor(plotHost.clientWidth || 480));
    const theme = chartTheme();
    const color = theme[series];
    const starts = hist.edges.slice(0, -1);
    const opts: uPlot.Options = {
      width,
      height: 200,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: false, range: () => [hist.edges[0], hist.edges[hist.edges.length - 1]] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] },
      },
      // Token counts and record counts are whole numbers: no 2.5-token ticks.
      axes: [
        { stroke: theme.foreground, font: theme.font, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid }, label: 'tokens', labelFont: theme.font, labelSize: 24, incrs: WHOLE_INCREMENTS },
        { stroke: theme.foreground, font: theme.font, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid }, label: 'records', labelFont: theme.font, size: 56, incrs: WHOLE_INCREMENTS },
      ],
      series: [
        {},
        {
          label: 'records',
          stroke: color,
          fill: withAlpha(color, 0.55),
          width: 1,
          // align 1: each bar starts at its bin's lower edge and spans the bin.
          paths: uPlot.paths.bars!({ size: [1, Infinity], align: 1, gap: 1 }),
          points: { show: false },
        },
      ],
      hooks: {
        setCursor: [(u) => {
          const i = u.cursor.idx;
          caption.textContent = i === null || i === undefined ? captionText(hist)
            : `${tokens(hist.edges[i])}–${tokens(hist.edges[i + 1])} tokens: ${count(hist.counts[i])} records`;
        }],
      },
    };
    plot = new uPlot(opts, [starts, hist.counts], plotHost);
  };

  // Drawn once the element is in the page and has a width; redrawn on resize.
  const resize = new ResizeObserver(() => {
    const w = Math.floor(plotHost.clientWidth);
    if (w > 0 && (!plot || Math.abs(plot.width - w) > 4)) draw();
  });
  resize.observe(plotHost);

  return {
    element,
    redraw: draw,
    destroy: () => { resize.disconnect(); plot?.destroy(); },
  };
}

function captionText(hist: Histogram): string {
  const bins = hist.counts.length;
  if (bins === 0) return 'no records';
  const width = hist.edges[1] - hist.edges[0];
  return `${bins} bin${bins === 1 ? '' : 's'} of ${tokens(width)} token${width === 1 ? '' : 's'} · hover a bar for its count`;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** `#rrggbb` or `rgb(...)` with an alpha; other notations (named colours) are returned as they are. */
function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) return `#${hex[1]}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;
  const rgb = /^rgb\(([^)]+)\)$/i.exec(color);
  if (rgb) return `rgba(${rgb[1]}, ${alpha})`;
  return color;
}
