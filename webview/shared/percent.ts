// Fractions (exact match, F1, reward accuracy: 0–1) shown as percentages everywhere in the panels and charts: the
// stored value stays a fraction, only its label is scaled, so an axis and the figure beside it always agree.

/** 0.425 → "42.5%" (digits after the point). */
export function percent(v: number, digits = 1): string {
  return `${(100 * v).toFixed(digits)}%`;
}

/**
 * Tick labels for an axis of fractions: as many decimals as the tick spacing needs, so 0–1 reads 0% … 100% and a
 * zoomed-in 0.40–0.45 reads 40.0% … 45.0% instead of five times "40%".
 */
export function percentTicks(ticks: readonly number[]): string[] {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) * 100 : 1;
  const digits = step >= 1 || step === 0 ? 0 : Math.min(4, Math.ceil(-Math.log10(step) - 1e-9));
  return ticks.map((t) => percent(t, digits));
}
