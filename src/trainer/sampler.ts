// Which example comes next: tasks are drawn by weight, and within a task examples come in a shuffled order that is
// reshuffled when exhausted. The whole state (RNG, orders, positions) is plain data saved in the checkpoint, so a
// resumed run sees exactly the examples the uninterrupted run would have.
import { Rng, type RngState } from './rng';

export interface SamplerState {
  rng: RngState;
  tasks: string[];
  weights: number[];
  orders: number[][];
  positions: number[];
  /** An example drawn by `peek` but not yet taken. */
  pending: number | null;
  /** Examples taken so far (epochs = consumed / dataset size). */
  consumed: number;
}

export class TaskSampler {
  private constructor(private readonly s: SamplerState, private readonly rng: Rng) {}

  /**
   * `byTask` maps each task to its example indices. Weights: the configured weight of a task, 1 for tasks not named;
   * with no weights configured, proportional to the task's size (the natural mix of the data).
   */
  static create(byTask: Map<string, number[]>, taskWeights: Record<string, number>, seed: number): TaskSampler {
    const rng = new Rng(seed);
    const tasks = [...byTask.keys()].sort();
    const configured = Object.keys(taskWeights).length > 0;
    const weights = tasks.map((t) => (configured ? taskWeights[t] ?? 1 : byTask.get(t)!.length));
    if (!weights.some((w) => w > 0)) throw new Error('every task has weight 0: nothing to train on');
    const orders = tasks.map((t) => rng.shuffle([...byTask.get(t)!]));
    return new TaskSampler({ rng: rng.getState(), tasks, weights, orders, positions: tasks.map(() => 0), pending: null, consumed: 0 }, rng);
  }

  static restore(state: SamplerState): TaskSampler {
    const s = structuredClone(state);
    return new TaskSampler(s, new Rng(s.rng));
  }

  peek(): number {
    if (this.s.pending === null) this.s.pending = this.draw();
    return this.s.pending;
  }

  take(): number {
    const ex = this.peek();
    this.s.pending = null;
    this.s.consumed++;
    return ex;
  }

  get consumed(): number {
    return this.s.consumed;
  }

  getState(): SamplerState {
    return { ...structuredClone(this.s), rng: this.rng.getState() };
  }

  private draw(): number {
    const { weights, orders, positions } = this.s;
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.rng.next() * total;
    let t = 0;
    for (; t < weights.length - 1; t++) {
      if (r < weights[t]) break;
      r -= weights[t];
    }
    // Rounding can land past the last positive weight.
    while (weights[t] === 0) t--;
    if (positions[t] >= orders[t].length) {
      this.rng.shuffle(orders[t]);
      positions[t] = 0;
    }
    return orders[t][positions[t]++];
  }
}
