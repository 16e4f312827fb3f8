import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors, toFloat32, SafetensorsError } from '../../../src/core/safetensors';

function fileWithHeader(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

test('float32 tensors and metadata round-trip; header is 8-byte aligned and sorted by name', () => {
  const a = { shape: [2, 3], data: Float32Array.from([1, -2.5, 3e-8, 4, 5, Math.PI]) };
  const b = { shape: [1], data: Float32Array.from([-0]) };
  const bytes = encodeSafetensors({ 'z.weight': a, 'a.bias': b }, { format: 'pt' });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLen % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  assert.deepEqual(header['a.bias'].data_offsets, [0, 4]);
  assert.deepEqual(header['z.weight'].data_offsets, [4, 28]);
  const back = decodeSafetensors(bytes, 'm.safetensors');
  assert.deepEqual(back.metadata, { format: 'pt' });
  assert.deepEqual(back.tensors.get('z.weight')!.shape, [2, 3]);
  assert.deepEqual(toFloat32(back.tensors.get('z.weight')!), a.data);
  assert.ok(Object.is(toFloat32(back.tensors.get('a.bias')!)[0], -0));
});

test('F16 and BF16 are widened to float32 exactly', () => {
  // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24
  // BF16: 1.0 = 0x3f80, -3.0 = 0xc040
  const f16 = fileWithHeader({ h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] }, b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] } }, 12);
  const data = new DataView(f16.buffer, f16.length - 12);
  [0x3c00, 0xc000, 0x7bff, 0x0001, 0x3f80, 0xc040].forEach((v, i) => data.setUint16(i * 2, v, true));
  const st = decodeSafetensors(f16);
  assert.deepEqual(Array.from(toFloat32(st.tensors.get('h')!)), [1, -2, 65504, 2 ** -24]);
  assert.deepEqual(Array.from(toFloat32(st.tensors.get('b')!)), [1, -3]);
});

test('a truncated file names the file and says truncated', () => {
  const bytes = encodeSafetensors({ w: { shape: [4], data: new Float32Array(4) } });
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 5), 'model.safetensors'), /model\.safetensors: truncated/);
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 12), 'model.safetensors'), /model\.safetensors: truncated: header says/);
  assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 1), 'model.safetensors'), (e: unknown) =>
    e instanceof SafetensorsError && e.file === 'model.safetensors' && /run past the end of the data/.test(e.message));
});

test('bad offsets, sizes, overlaps, gaps and dtypes are refused', () => {
  const cases: Array<[unknown, number, RegExp]> = [
    [{ w: { dtype: 'F32', shape: [2], data_offsets: [4, 0] } }, 8, /end before they begin/],
    [{ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4, /4 bytes for shape \[2\] of F32, expected 8/],
    [{ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, v: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, 6, /overlap/],
    [{ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8, /gap of 4 bytes/],
    [{ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8, /4 bytes after the last tensor/],
    [{ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, 4, /unknown dtype "Q4"/],
    [{ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4, /shape must be/],
    [{ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4, /data_offsets must be two/],
    [[1, 2], 0, /not a JSON object/],
  ];
  for (const [header, n, re] of cases) assert.throws(() => decodeSafetensors(fileWithHeader(header, n), 'x.safetensors'), re, JSON.stringify(header));
  const notJson = fileWithHeader({}, 0);
  notJson[8] = 0x7b; notJson[9] = 0x7b;
  assert.throws(() => decodeSafetensors(notJson, 'x.safetensors'), /header is not valid JSON/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
  assert.throws(() => decodeSafetensors(huge, 'x.safetensors'), /implausible/);
});

test('the writer refuses data that does not match its shape', () => {
  assert.throws(() => encodeSafetensors({ w: { shape: [3], data: new Float32Array(2) } }), /holds 3 values but 2/);
});
