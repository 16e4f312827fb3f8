// The record in full: fields (chat as a conversation, preference side by side, ranking in order), the review
// controls, inline editing, and the validator's problems for this record.
import type { AnnotatorAction } from '../../src/core/annotate/actions';
import type { JsonPath } from '../../src/core/annotate/jsonLineEdit';
import type { FieldView, RecordView } from '../../src/core/annotate/recordView';
import { clear, h, keepSelectAllInField } from './dom';

export interface PanelCallbacks {
  act(action: AnnotatorAction): void;
  showInText(): void;
}

function pathKey(path: JsonPath): string {
  return JSON.stringify(path);
}

export class RecordPanel {
  view: RecordView | null = null;
  private editing: string | null = null;
  /** The field that last had focus, which `e` edits. */
  private focusedPath: string | null = null;

  constructor(private readonly root: HTMLElement, private readonly cb: PanelCallbacks) {
    root.addEventListener('focusin', (e) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>('[data-path]');
      if (el) this.focusedPath = el.dataset.path ?? null;
    });
  }

  get isEditing(): boolean {
    return this.editing !== null;
  }

  show(view: RecordView | null, emptyText: string): void {
    // The host re-sends the record on every state change (validation results arriving, indexing progress):
    // an unchanged record must not be rebuilt under the user's cursor.
    if (view !== null && JSON.stringify(view) === JSON.stringify(this.view)) return;
    const sameRecord = this.view !== null && this.view?.line === view?.line;
    this.view = view;
    if (!sameRecord) { this.editing = null; this.focusedPath = null; }
    this.render(emptyText, sameRecord);
  }

  /** Starts editing the focused field, or the first one. */
  editFocused(): void {
    const fields = this.allFields();
    const target = fields.find((f) => pathKey(f.path) === this.focusedPath) ?? fields[0];
    if (!target) return;
    this.editing = pathKey(target.path);
    this.render('');
  }

  cancelEdit(): void {
    if (this.editing === null) return;
    const key = this.editing;
    this.editing = null;
    this.render('');
    this.root.querySelector<HTMLElement>(`[data-path='${CSS.escape(key)}']`)?.focus();
  }

  focusNote(): void {
    this.root.querySelector<HTMLElement>('#note')?.focus();
  }

  /** Moves the focused ranked response by `delta` places. */
  moveFocusedResponse(delta: number): boolean {
    const v = this.view;
    const item = document.activeElement?.closest<HTMLElement>('[data-rank]');
    if (!v?.ranked || !item) return false;
    const from = Number(item.dataset.rank);
    const to = from + delta;
    if (to < 0 || to >= v.ranked.length) return true;
    this.reorder(from, to);
    return true;
  }

  private reorder(from: number, to: number): void {
    if (!this.view?.ranked) return;
    const order = this.view.ranked.map((r) => r.index);
    const [moved] = order.splice(from, 1);
    order.splice(to, 0, moved);
    this.pendingRankFocus = to;
    this.cb.act({ kind: 'rank', ranking: order });
  }

  private pendingRankFocus: number | null = null;

  private allFields(): FieldView[] {
    const v = this.view;
    if (!v) return [];
    return [...v.prompt, ...v.response, ...(v.chosen ?? []), ...(v.rejected ?? []), ...(v.ranked ?? []).flatMap((r) => r.fields)];
  }

  private render(emptyText: string, keepFocus = true): void {
    const focusedKey = this.focusedPath;
    // What the user is in the middle of survives a re-render of the same record: focus, a note being typed, an edit.
    const active = document.activeElement instanceof HTMLElement && this.root.contains(document.activeElement) ? document.activeElement : null;
    const refocus = !keepFocus || !active ? null
      : active.id === 'note' ? '#note'
      : active.dataset.path ? `[data-path='${CSS.escape(active.dataset.path)}']`
      : active.dataset.rank ? `[data-rank='${CSS.escape(active.dataset.rank)}']` : null;
    const noteDraft = keepFocus && active?.id === 'note' ? (active as HTMLElement & { value: string }).value : undefined;
    const editDraft = keepFocus ? this.root.querySelector<HTMLElement & { value: string }>('vscode-textarea')?.value : undefined;
    clear(this.root);
    const v = this.view;
    if (!v) {
      this.root.append(h('p', { class: 'empty' }, emptyText));
      return;
    }
    const head = h('div', { class: 'record-head' },
      h('span', { class: `badge ${v.status}` }, v.status),
      h('span', {}, `Line ${v.line + 1} · ${v.kind}${v.task ? ` · task: ${v.task}` : ''}`),
      h('vscode-button', { secondary: true, id: 'show-text', title: 'Show in the text editor (o)' }, 'Show in text'),
    );
    head.querySelector('#show-text')?.addEventListener('click', () => this.cb.showInText());
    this.root.append(head);

    if (v.problems.length) {
      this.root.append(h('ul', { class: 'problems', 'aria-label': 'Problems in this record' },
        ...v.problems.map((p) => h('li', { class: p.severity }, h('code', {}, p.code), ` ${p.field ? `${p.field}: ` : ''}${p.message}`))));
    }
    if (v.kind === 'invalid') {
      this.root.append(h('p', {}, 'This line is not a JSON object; fix it in the text editor (o).'), h('pre', { class: 'raw' }, v.raw ?? ''));
      return;
    }

    this.root.append(this.reviewBar(v));
    if (v.kind === 'chat') this.root.append(this.section('Conversation', v.prompt, 'chat'));
    else if (v.prompt.length) this.root.append(this.section(v.kind === 'alpaca' ? 'Instruction' : 'Prompt', v.prompt));
    if (v.response.length) this.root.append(this.section('Response', v.response));
    if (v.chosen && v.rejected) {
      this.root.append(h('div', { class: 'sides' },
        this.section('Chosen', v.chosen, 'side chosen'),
        this.section('Rejected', v.rejected, 'side rejected')));
    }
    if (v.ranked) this.root.append(this.rankingList(v));
    if (v.otherKeys.length) this.root.append(h('p', { class: 'muted other-keys' }, `Also in this record, kept as is: ${v.otherKeys.join(', ')}`));

    if (this.editing) {
      // The element renders its inner textarea asynchronously; focus delegates to it only once it exists.
      const area = this.root.querySelector<HTMLElement & { value: string; updateComplete?: Promise<unknown> }>('vscode-textarea');
      if (area && editDraft !== undefined) area.value = editDraft;
      void customElements.whenDefined('vscode-textarea').then(() => area?.updateComplete).then(() => area?.focus());
    } else if (this.pendingRankFocus !== null) {
      this.root.querySelector<HTMLElement>(`[data-rank='${this.pendingRankFocus}']`)?.focus();
      this.pendingRankFocus = null;
    } else if (refocus) {
      const el = this.root.querySelector<HTMLElement & { value: string }>(refocus);
      if (el && noteDraft !== undefined) el.value = noteDraft;
      el?.focus();
    }
    if (focusedKey) this.focusedPath = focusedKey;
  }

  private reviewBar(v: RecordView): HTMLElement {
    const pressed = (b: boolean) => (b ? 'true' : 'false');
    const btn = (label: string, key: string, on: boolean, action: AnnotatorAction) => {
      const b = h('vscode-button', { secondary: !on, 'aria-pressed': pressed(on), title: `${label} (${key})` }, `${label} (${key})`);
      b.addEventListener('click', () => this.cb.act(action));
      return b;
    };
    const bar = h('div', { class: 'review', role: 'group', 'aria-label': 'Review' },
      btn('Accept', 'a', v.review.status === 'accepted', { kind: 'status', status: v.review.status === 'accepted' ? null : 'accepted' }),
      btn('Reject', 'r', v.review.status === 'rejected', { kind: 'status', status: v.review.status === 'rejected' ? null : 'rejected' }),
    );
    const stars = h('span', { class: 'rating', role: 'group', 'aria-label': 'Rating' });
    for (let n = 1; n <= 5; n++) {
      const on = v.review.rating === n;
      const b = h('button', { class: `star${v.review.rating !== undefined && n <= v.review.rating ? ' on' : ''}`, 'aria-pressed': pressed(on), 'aria-label': `Rate ${n} of 5`, title: `Rate ${n} (${n})` }, '★');
      b.addEventListener('click', () => this.cb.act({ kind: 'rate', rating: on ? null : n }));
      stars.append(b);
    }
    bar.append(stars);
    if (v.kind === 'preference' || v.kind === 'ranking') {
      if (v.kind === 'preference') {
        const swap = h('vscode-button', { secondary: true, title: 'Swap chosen and rejected (s)' }, 'Swap (s)');
        swap.addEventListener('click', () => this.cb.act({ kind: 'swap' }));
        bar.append(swap);
      }
      bar.append(
        btn('Tie', 't', v.review.mark === 'tie', { kind: 'mark', mark: v.review.mark === 'tie' ? null : 'tie' }),
        btn('Both bad', 'b', v.review.mark === 'both-bad', { kind: 'mark', mark: v.review.mark === 'both-bad' ? null : 'both-bad' }),
      );
    }
    const note = h('vscode-textfield', { id: 'note', placeholder: 'Note (n), Enter saves', 'aria-label': 'Review note' }) as HTMLElement & { value: string };
    note.value = v.review.note ?? '';
    note.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        if (note.value !== (v.review.note ?? '')) this.cb.act({ kind: 'note', note: note.value });
        note.blur();
      } else if (e.key === 'Escape') {
        note.value = v.review.note ?? '';
        note.blur();
      } else keepSelectAllInField(e);
    });
    bar.append(note);
    return bar;
  }

  private section(title: string, fields: readonly FieldView[], cls = ''): HTMLElement {
    const id = `sec-${title.toLowerCase().replace(/\W+/g, '-')}`;
    return h('section', { class: `fields ${cls}`, 'aria-labelledby': id },
      h('h3', { id }, title),
      ...fields.map((f) => this.field(f, cls.includes('chat'))));
  }

  private field(f: FieldView, chat: boolean): HTMLElement {
    const key = pathKey(f.path);
    const wrap = h('div', { class: `field${chat ? ` msg ${f.role ?? ''}` : ''}` }, h('div', { class: 'label' }, f.label));
    if (this.editing === key) {
      const area = h('vscode-textarea', { rows: Math.min(16, Math.max(3, f.value.split('\n').length + 1)), 'aria-label': `Edit ${f.label}`, resize: 'vertical' }) as HTMLElement & { value: string };
      area.value = f.value;
      const save = () => {
        this.editing = null;
        if (area.value !== f.value) this.cb.act({ kind: 'setField', path: f.path, value: area.value });
        else this.render('');
      };
      area.addEventListener('keydown', (e: KeyboardEvent) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); }
        else if (e.key === 'Escape') { e.preventDefault(); this.cancelEdit(); }
        else keepSelectAllInField(e);
      });
      const saveBtn = h('vscode-button', {}, 'Save (Ctrl+Enter)');
      saveBtn.addEventListener('click', save);
      const cancelBtn = h('vscode-button', { secondary: true }, 'Cancel (Esc)');
      cancelBtn.addEventListener('click', () => this.cancelEdit());
      wrap.append(area, h('div', { class: 'edit-actions' }, saveBtn, cancelBtn));
    } else {
      const text = h('div', { class: 'text', tabindex: 0, 'data-path': key, 'aria-label': `${f.label}: ${f.value}` }, f.value === '' ? h('span', { class: 'muted' }, '(empty)') : f.value);
      text.addEventListener('dblclick', () => { this.editing = key; this.render(''); });
      wrap.append(text);
    }
    return wrap;
  }

  private rankingList(v: RecordView): HTMLElement {
    const list = h('ol', { class: 'ranking', 'aria-label': 'Responses, best first (Alt+↑/↓ or drag to reorder)' });
    (v.ranked ?? []).forEach((r, rank) => {
      const item = h('li', { draggable: 'true', tabindex: 0, 'data-rank': rank, 'aria-label': `Rank ${rank + 1}: response ${r.index}` },
        h('span', { class: 'rank' }, `#${rank + 1}`),
        h('div', { class: 'rank-body' }, ...r.fields.map((f) => this.field(f, false))));
      item.addEventListener('dragstart', (e) => e.dataTransfer?.setData('text/plain', String(rank)));
      item.addEventListener('dragover', (e) => { e.preventDefault(); item.classList.add('drop'); });
      item.addEventListener('dragleave', () => item.classList.remove('drop'));
      item.addEventListener('drop', (e) => {
        e.preventDefault();
        item.classList.remove('drop');
        const from = Number(e.dataTransfer?.getData('text/plain'));
        if (Number.isInteger(from) && from !== rank) this.reorder(from, rank);
      });
      list.append(item);
    });
    return h('section', { class: 'fields', 'aria-label': 'Ranking' }, h('h3', {}, 'Ranking (best first)'), list);
  }
}
