// Reading a big buffer for the worker in slices, so the host's thread is never busy for long: about 256 K characters of
// lines per slice, encoded to UTF-8 (the worker gets the buffers transferred, not copied), yielding to the event
// loop between slices. No editor API here: the editor adapter and the bench both drive it.
import type { TextContent } from '../../shared/protocol/datasetWorker';

/** Below this many characters one string plus its copy into the message stays well under the 50 ms budget. */
export const SMALL_BUFFER_CHARS = 1_000_000;
/** Small enough that one slice (copy + UTF-8 encode) stays a few ms even when the machine is heavily loaded. */
export const CHUNK_CHARS = 256_000;

export interface LineSource {
  readonly lineCount: number;
  /** Characters in the whole buffer. */
  readonly length: number;
  /** Lines [start, end) with their line breaks; the buffer's last line has none. */
  textOfLines(start: number, end: number): string;
  /** The whole buffer (used when it is small). */
  text(): string;
  /** False once the buffer changed or closed, or the caller lost interest: the read is abandoned. */
  unchanged(): boolean;
}

export async function readInChunks(src: LineSource): Promise<TextContent | undefined> {
  if (src.length <= SMALL_BUFFER_CHARS) return { text: src.text() };
  const encoder = new TextEncoder();
  const linesPerChunk = Math.max(1, Math.floor((src.lineCount * CHUNK_CHARS) / src.length));
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < src.lineCount; start += linesPerChunk) {
    chunks.push(encoder.encode(src.textOfLines(start, Math.min(src.lineCount, start + linesPerChunk))));
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!src.unchanged()) return undefined;
  }
  return { chunks };
}
