import { percent } from '../shared/percent';

// Element building without innerHTML: every value shown comes from files on disk and is set as text.
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string | null>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : percent(v));
export const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
/** A change of a fraction is in percentage points ("+12.5 pp" beside "42.5%"); other changes as plain numbers. */
export const signed = (v: number, share: boolean) => `${v >= 0 ? '+' : ''}${share ? `${(100 * v).toFixed(1)} pp` : v.toFixed(3)}`;
/** An interval of a change, its unit left to the change printed above it (keeps the column narrow). */
export const signedInterval = (low: number, high: number, share: boolean) => {
  const bare = (v: number) => `${v >= 0 ? '+' : ''}${share ? (100 * v).toFixed(1) : v.toFixed(3)}`;
  return `[${bare(low)}, ${bare(high)}]`;
};
/** A relative change (0.12 = 12% more), which is a percentage proper. */
export const signedPercent = (v: number) => `${v >= 0 ? '+' : ''}${percent(v)}`;
