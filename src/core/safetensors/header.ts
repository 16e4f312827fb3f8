// The header of a safetensors file read from disk without its data: names, dtypes, shapes and byte ranges. Lets a
// model folder be described (parameter count, dtype) without reading gigabytes of weights.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SafetensorsError, type SafetensorsDtype } from './format';

export interface TensorHeader {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  tensors: Map<string, TensorHeader>;
  /** File offset of the data section (8 + header length). */
  dataStart: number;
  fileBytes: number;
}

const MAX_HEADER_BYTES = 100_000_000;

export function readSafetensorsHeader(path: string, file = path): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const fail = (msg: string): never => { throw new SafetensorsError(file, msg); };
    if (fileBytes < 8) fail(`truncated: ${fileBytes} bytes, shorter than the 8-byte header length`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const headerLen = Number(lenBuf.readBigUInt64LE(0));
    if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} is implausible (corrupt file?)`);
    if (8 + headerLen > fileBytes) fail(`truncated: header says ${headerLen} bytes of JSON but the file has ${fileBytes - 8} after the length`);
    const buf = Buffer.alloc(headerLen);
    readSync(fd, buf, 0, headerLen, 8);
    let header: unknown;
    try {
      header = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      fail(`header is not valid JSON (${(e as Error).message})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
    const metadata: Record<string, string> = {};
    const tensors = new Map<string, TensorHeader>();
    const dataLen = fileBytes - 8 - headerLen;
    for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (entry && typeof entry === 'object') Object.assign(metadata, entry);
        continue;
      }
      const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
      if (!e || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) {
        fail(`tensor "${name}": entry needs "dtype", "shape" and two "data_offsets"`);
      }
      const [begin, end] = e!.data_offsets as number[];
      if (!(Number.isSafeInteger(begin) && Number.isSafeInteger(end) && begin >= 0 && end >= begin && end <= dataLen)) {
        fail(`tensor "${name}": data_offsets [${begin}, ${end}] are outside the ${dataLen} bytes of data (truncated file?)`);
      }
      tensors.set(name, { dtype: e!.dtype as SafetensorsDtype, shape: e!.shape as number[], begin, end });
    }
    return { metadata, tensors, dataStart: 8 + headerLen, fileBytes };
  } finally {
    closeSync(fd);
  }
}
