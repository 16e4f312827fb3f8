// A tiny element builder: text is always set as text, never parsed as HTML.
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Record<string, string>, ...children: Array<Node | string>): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Record<string, string>, ...children: Array<Node | string>): HTMLElement;
export function h(tag: string, props: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}
