// Gradients computed in this thread on the chosen backend (tfjs-node uses all cores by itself).
import type { Batch, BackendInfo } from './types';
import type { Compute, GradientResult } from './compute';
import type { LoadedBackend } from '../backend/index';
import type { ParamLayout, ResolvedConfig } from './params';
import { GptReplica } from './model';

export class LocalCompute implements Compute {
  readonly backend: BackendInfo;
  private readonly replica: GptReplica;

  constructor(loaded: LoadedBackend, config: ResolvedConfig, layout: ParamLayout, params: Float32Array) {
    this.backend = loaded.info;
    this.replica = new GptReplica(loaded.tf, config, layout, params);
  }

  async gradients(microBatches: Batch[], grad: Float32Array): Promise<GradientResult> {
    let lossSum = 0;
    let weightSum = 0;
    for (const b of microBatches) {
      const r = this.replica.accumulateGradients({ batch: b, start: 0, end: b.batchSize }, grad);
      lossSum += r.lossSum;
      weightSum += r.weightSum;
    }
    return { lossSum, weightSum };
  }

  async loss(batch: Batch): Promise<GradientResult> {
    return this.replica.loss({ batch, start: 0, end: batch.batchSize });
  }

  async rowLosses(batch: Batch): Promise<Float32Array> {
    return this.replica.rowLosses({ batch, start: 0, end: batch.batchSize });
  }

  async lastLogits(sequences: number[][]): Promise<Float32Array[]> {
    return sequences.map((s) => this.replica.lastLogits(s));
  }

  weightsChanged(): void {
    this.replica.weightsChanged();
  }

  async dispose(): Promise<void> {
    this.replica.dispose();
  }
}
