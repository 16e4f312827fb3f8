// A virtualized list of fixed-height rows: only the rows in view exist in the DOM, and rows are fetched from
// the host a page at a time, so 100k records scroll like 100.
import type { RowView } from '../../src/core/annotate/recordView';
import { clear, h } from './dom';

export const ROW_HEIGHT = 44;
const PAGE = 100;
const OVERSCAN = 10;

const STATUS_MARK: Record<RowView['status'], string> = { unreviewed: '○', accepted: '✓', rejected: '✗' };

export class VirtualList {
  private count = 0;
  private selected = 0;
  private version = 0;
  private readonly cache = new Map<number, RowView>();
  private readonly requested = new Set<number>();
  private readonly spacer: HTMLElement;
  private readonly rows: HTMLElement;

  constructor(
    readonly root: HTMLElement,
    private readonly requestRows: (start: number, count: number) => void,
    private readonly onPick: (position: number) => void,
  ) {
    this.rows = h('div', { class: 'rows' });
    this.spacer = h('div', { class: 'spacer' }, this.rows);
    root.append(this.spacer);
    root.addEventListener('scroll', () => this.render());
    root.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('[data-pos]');
      if (row) this.onPick(Number(row.dataset.pos));
    });
    new ResizeObserver(() => this.render()).observe(root);
  }

  /** A new list (filter or document changed): cached rows are stale. */
  reset(count: number, version: number): void {
    this.count = count;
    this.version = version;
    this.cache.clear();
    this.requested.clear();
    this.spacer.style.height = `${count * ROW_HEIGHT}px`;
    this.render();
  }

  receive(version: number, start: number, rows: readonly RowView[]): void {
    if (version !== this.version) return;
    rows.forEach((r, i) => this.cache.set(start + i, r));
    this.render();
  }

  select(position: number, scroll = true): void {
    this.selected = position;
    if (scroll) {
      const top = position * ROW_HEIGHT;
      if (top < this.root.scrollTop) this.root.scrollTop = top;
      else if (top + ROW_HEIGHT > this.root.scrollTop + this.root.clientHeight) this.root.scrollTop = top + ROW_HEIGHT - this.root.clientHeight;
    }
    this.render();
  }

  get pageSize(): number {
    return Math.max(1, Math.floor(this.root.clientHeight / ROW_HEIGHT));
  }

  rowAt(position: number): RowView | undefined {
    return this.cache.get(position);
  }

  private render(): void {
    const first = Math.max(0, Math.floor(this.root.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.count, Math.ceil((this.root.scrollTop + this.root.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    for (let page = Math.floor(first / PAGE); page * PAGE < last; page++) {
      const missing = !this.cache.has(page * PAGE) || !this.cache.has(Math.min(this.count, (page + 1) * PAGE) - 1);
      if (missing && !this.requested.has(page)) {
        this.requested.add(page);
        this.requestRows(page * PAGE, PAGE);
      }
    }
    this.rows.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    clear(this.rows);
    for (let p = first; p < last; p++) {
      const r = this.cache.get(p);
      const selected = p === this.selected;
      const row = h('div', {
        class: `row${selected ? ' selected' : ''}${r ? ` ${r.status}` : ''}`, id: `row-${p}`, role: 'option', 'data-pos': p,
        'aria-selected': selected ? 'true' : 'false', 'aria-setsize': this.count, 'aria-posinset': p + 1,
      });
      if (!r) row.append(h('span', { class: 'snippet muted' }, '…'));
      else {
        row.append(
          h('span', { class: `status ${r.status}`, title: r.status, 'aria-label': r.status }, STATUS_MARK[r.status]),
          h('span', { class: 'meta' }, `${r.line + 1} · ${r.kind}${r.rating ? ` · ${'★'.repeat(r.rating)}` : ''}${r.mark ? ` · ${r.mark}` : ''}${r.problemCount ? ` · ⚠ ${r.problemCount}` : ''}`),
          h('span', { class: 'snippet' }, r.snippet || '(empty)'),
        );
      }
      this.rows.append(row);
    }
    if (this.count > 0) this.root.setAttribute('aria-activedescendant', `row-${this.selected}`);
    else this.root.removeAttribute('aria-activedescendant');
  }
}
