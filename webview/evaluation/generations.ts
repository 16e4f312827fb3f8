// The generations list: expected / base / tuned side by side, sorted so the worst failures come first, filterable,
// selectable for "send to annotator"; the header of each links to the record's line in the dataset.
import type { GenerationLine, SortKey } from '../../src/shared/protocol/evaluation';
import { el, num, pct, signed } from './dom';

/** Shown at once; the rest behind "show more" so a large evaluation stays responsive. */
const PAGE = 100;

export function sortedIndices(gens: readonly GenerationLine[], sort: SortKey, filter: string): number[] {
  const q = filter.trim().toLowerCase();
  const idx = gens.map((_, i) => i).filter((i) => !q || [gens[i].task, gens[i].expected, gens[i].tuned, gens[i].base ?? '', gens[i].prompt].some((s) => s.toLowerCase().includes(q)));
  const key = (g: GenerationLine): number => {
    const t = g.scores.tuned;
    switch (sort) {
      case 'loss': return -(t.loss ?? -Infinity);
      case 'delta': return g.scores.base ? t.token_f1 - g.scores.base.token_f1 : 0;
      case 'line': return 0;
      default: return t[sort];
    }
  };
  // Ties (and file order) by file then line, so the order is stable between renders.
  return idx.sort((a, b) => key(gens[a]) - key(gens[b]) || gens[a].file.localeCompare(gens[b].file) || gens[a].line - gens[b].line);
}

export interface ListHandlers {
  open(g: GenerationLine): void;
  toggle(i: number, on: boolean): void;
}

export function renderGenerations(container: HTMLElement, gens: readonly GenerationLine[], order: readonly number[], selected: ReadonlySet<number>, shown: number, h: ListHandlers, more: () => void): void {
  container.replaceChildren();
  for (const i of order.slice(0, shown)) container.append(generationItem(gens[i], i, selected.has(i), h));
  if (order.length > shown) {
    const b = el('vscode-button', { secondary: '' }, `Show ${Math.min(PAGE, order.length - shown)} more of ${order.length - shown}`);
    b.addEventListener('click', more);
    container.append(b);
  }
}

export const FIRST_PAGE = PAGE;

function generationItem(g: GenerationLine, i: number, isSelected: boolean, h: ListHandlers): HTMLElement {
  const t = g.scores.tuned;
  const box = el('vscode-checkbox', { 'aria-label': `Select line ${g.line}` }) as HTMLElement & { checked: boolean };
  box.checked = isSelected;
  box.addEventListener('change', () => h.toggle(i, box.checked));
  const link = el('a', { href: '#', title: `Open ${g.file} at line ${g.line}` }, `${g.file.split(/[\\/]/).pop()}:${g.line}`);
  link.addEventListener('click', (e) => { e.preventDefault(); h.open(g); });
  const scores = [`EM ${t.exact_match ? '✓' : '✗'}`, `F1 ${pct(t.token_f1)}`, `ROUGE-L ${pct(t.rouge_l)}`];
  if (t.loss !== null) scores.push(`loss ${num(t.loss, 2)}`);
  if (t.ifeval_strict !== null) scores.push(`checks ${t.ifeval_strict ? 'pass' : 'fail'}`);
  if (g.scores.base) scores.push(`Δ F1 ${signed(t.token_f1 - g.scores.base.token_f1, true)}`);
  const head = el('div', { class: 'gen-head' }, box, link, el('span', { class: 'tag' }, g.task), g.unseen ? el('span', { class: 'tag' }, 'unseen') : null, el('span', { class: 'scores' }, scores.join(' · ')));
  const col = (title: string, text: string, cls: string) => el('div', { class: `col ${cls}` }, el('div', { class: 'col-title' }, title), el('pre', {}, text === '' ? '∅ (empty)' : text));
  const cols = el('div', { class: `cols ${g.base === null ? 'two' : 'three'}` }, col('Expected', g.expected, ''));
  if (g.base !== null) cols.append(col('Base', g.base, g.scores.base?.exact_match ? 'pass' : 'fail'));
  cols.append(col('Tuned', g.tuned, t.exact_match ? 'pass' : 'fail'));
  const prompt = el('details', { class: 'prompt' }, el('summary', {}, 'Prompt'), el('pre', {}, g.prompt));
  return el('div', { class: `gen${isSelected ? ' selected' : ''}`, role: 'listitem', 'data-line': String(g.line) }, head, cols, prompt);
}
