// The preview pane: the rendering token by token, trained tokens and prompt tokens in distinct colours, special
// tokens as chips; the token counts; the core's warnings; or the error that stopped the rendering.
import type { PreviewBody, PreviewToken } from '../../src/shared/protocol/templateEditor';
import { h } from './dom';
import { count, visibleText } from './tokenText';

export function renderTokens(tokens: PreviewToken[]): DocumentFragment {
  const out = document.createDocumentFragment();
  tokens.forEach((t, i) => {
    // a multi-byte character is several tokens, its text on the first: the others still count, shown empty
    const cls = `tok ${t.trained ? 'trained' : 'prompt'}${t.special ? ' special' : ''}`;
    out.append(h('span', { class: cls, 'data-i': String(i) }, t.special ? t.text : visibleText(t.text)));
  });
  return out;
}

export function renderSummary(body: PreviewBody & { ok: true }): HTMLElement {
  const pct = body.tokenCount ? Math.round((100 * body.trainedTokens) / body.tokenCount) : 0;
  return h(
    'div',
    { id: 'summary' },
    h('span', { class: 'count', id: 'token-count' }, `${count(body.tokenCount)} tokens`),
    h('span', { class: 'count trained-count', id: 'trained-count' }, `${count(body.trainedTokens)} trained (${pct}%)`),
    h('span', { class: 'kind' }, `${body.kind} template`),
    ...(body.tokensCut ? [h('span', { class: 'cut' }, 'only the first tokens are shown')] : []),
  );
}

export function renderWarnings(body: PreviewBody & { ok: true }): HTMLElement {
  const list = h('ul', { id: 'warnings', 'aria-label': 'Warnings' });
  for (const w of body.warnings) {
    list.append(h('li', { class: 'warning', 'data-code': w.code }, h('span', { class: 'code' }, w.code), ' ', w.message, ...(w.field ? [h('span', { class: 'field' }, ` (${w.field})`)] : [])));
  }
  return list;
}

export function renderFailure(body: PreviewBody & { ok: false }): HTMLElement {
  if (body.stage === 'no-record') return h('div', { id: 'preview-error', class: 'info' }, body.message);
  const where = body.stage === 'template' ? `template line ${body.line}, column ${body.column}` : body.field ? `record field ${body.field}` : 'record';
  return h(
    'div',
    { id: 'preview-error', class: body.stage },
    h('div', { class: 'where' }, body.stage === 'template' ? `Template error (${where})` : `This record cannot be rendered (${where})`),
    h('div', { class: 'message' }, body.message),
  );
}
