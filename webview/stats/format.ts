// Number formatting for the statistics page.
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function count(n: number): string {
  return int.format(n);
}

export function tokens(n: number): string {
  return Number.isInteger(n) ? int.format(n) : one.format(n);
}

/** A rate 0..1 as a percentage; tiny non-zero rates stay visible instead of rounding to 0%. */
export function percent(rate: number): string {
  if (rate === 0) return '0%';
  if (rate < 0.001) return '<0.1%';
  return `${one.format(rate * 100)}%`;
}

export function share(part: number, whole: number): string {
  return whole > 0 ? percent(part / whole) : '—';
}
