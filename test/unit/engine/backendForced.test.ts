// A forced backend that cannot load is an error naming it, not a silent fallback (own process: the
// backend is chosen once per process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBackend } from '../../../src/trainer/backend/index';

test('forcing a missing native backend fails clearly', async () => {
  await assert.rejects(loadBackend({ force: 'tensorflow' }), /no TensorFlow\.js backend could start \(tensorflow: not installed\)/);
});
