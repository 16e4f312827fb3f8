// Backend selection: the optional native packages are absent here, so the choice must fall through to
// wasm and say why; forcing works and bad values are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadBackend, nativeSearchPaths, parseForced, wasmDirectory } from '../../../src/trainer/backend/index';

test('without tfjs-node the wasm backend is chosen and the reason names what was tried', async () => {
  const { tf, info } = await loadBackend();
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(info.reason, /tensorflow-gpu: not installed/);
  assert.match(info.reason, /tensorflow: not installed/);
  assert.match(info.device, /^CPU \(WebAssembly/);
  // The backend really computes.
  assert.deepEqual(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()), [11]);
});

test('the wasm binaries are found', () => {
  assert.ok(existsSync(join(wasmDirectory(), 'tfjs-backend-wasm.wasm')));
});

test('INSTRUCT_STUDIO_BACKEND values', () => {
  assert.equal(parseForced(undefined), undefined);
  assert.equal(parseForced('CPU'), 'cpu');
  assert.equal(parseForced('wasm'), 'wasm');
  assert.equal(parseForced('tfjs-node-gpu'), 'tensorflow-gpu');
  assert.throws(() => parseForced('webgpu'), /not one of tensorflow-gpu, tensorflow, wasm, cpu/);
});

test('the native-module folder is searched as given and as its node_modules', () => {
  assert.deepEqual(nativeSearchPaths({ INSTRUCT_STUDIO_NATIVE_MODULES: '/x/gpu' }), ['/x/gpu', join('/x/gpu', 'node_modules')]);
  assert.deepEqual(nativeSearchPaths({ INSTRUCT_STUDIO_NATIVE_MODULES: '/x/node_modules' }), ['/x/node_modules']);
  assert.deepEqual(nativeSearchPaths({}), []);
});
