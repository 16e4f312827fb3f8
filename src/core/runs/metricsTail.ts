// Follows a metrics.jsonl while the trainer appends to it: each read returns only the new complete rows,
// and a file that shrank (a run restarted in the same folder) starts over.
import { promises as fs } from 'node:fs';
import { parseMetricsChunk, type MetricsRow } from './metrics';

export class MetricsTail {
  private offset = 0;

  constructor(readonly path: string) {}

  /** New rows since the last read; `reset` means the file was replaced and the rows start from the beginning. */
  async read(): Promise<{ rows: MetricsRow[]; reset: boolean }> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { rows: [], reset: false };
      throw e;
    }
    try {
      const { size } = await handle.stat();
      let reset = false;
      if (size < this.offset) { this.offset = 0; reset = true; }
      if (size === this.offset) return { rows: [], reset };
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
      const chunk = parseMetricsChunk(buf.subarray(0, bytesRead));
      this.offset += chunk.consumed;
      return { rows: chunk.rows, reset };
    } finally {
      await handle.close();
    }
  }
}
