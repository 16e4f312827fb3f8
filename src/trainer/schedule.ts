// Learning rate: linear warmup, then cosine decay from lr to minLr over the remaining steps (nanoGPT's get_lr).

export interface LrSchedule {
  lr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
}

/** The learning rate of optimizer step `step` (0-based); the last step gets minLr. */
export function learningRate(step: number, s: LrSchedule): number {
  const warmup = Math.min(s.warmupSteps, Math.max(0, s.totalSteps - 1));
  if (step < warmup) return (s.lr * (step + 1)) / (warmup + 1);
  const span = s.totalSteps - 1 - warmup;
  const ratio = span > 0 ? Math.min(1, (step - warmup) / span) : 0;
  return s.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (s.lr - s.minLr);
}
