import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapCI, bootstrapStatistics, quantileSorted, seededRandom } from '../../../src/core/metrics/bootstrap';

test('the same seed gives the same interval; another seed a different one', () => {
  const values = Array.from({ length: 50 }, (_, i) => (i * 37) % 11);
  const a = bootstrapCI(values, { samples: 500, seed: 7 });
  assert.deepEqual(bootstrapCI(values, { samples: 500, seed: 7 }), a);
  assert.notDeepEqual(bootstrapCI(values, { samples: 500, seed: 8 }), a);
  assert.equal(a.mean, values.reduce((s, v) => s + v, 0) / values.length);
  assert.ok(a.low < a.mean && a.mean < a.high);
});

test('the generator is a fixed sequence (intervals reproduce across machines and versions)', () => {
  const r = seededRandom(42);
  const first = [r(), r(), r()];
  const again = seededRandom(42);
  assert.deepEqual([again(), again(), again()], first);
  assert.ok(first.every((x) => x >= 0 && x < 1));
  assert.equal(new Set(first).size, 3);
});

test('quantiles interpolate linearly, as NumPy\'s default', () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([5], 0.975), 5);
});

test('constant data has a zero-width interval; more data gives a narrower one', () => {
  assert.deepEqual(bootstrapCI([0.5, 0.5, 0.5], { samples: 200 }), { mean: 0.5, low: 0.5, high: 0.5 });
  const coin = (n: number): number[] => Array.from({ length: n }, (_, i) => i % 2);
  const small = bootstrapCI(coin(20), { samples: 1000 });
  const large = bootstrapCI(coin(2000), { samples: 1000 });
  assert.ok(large.high - large.low < (small.high - small.low) / 5);
});

test('intervals cover the true mean about as often as their confidence level says', () => {
  // 300 data sets of 40 draws from U(0,1) (true mean 0.5), each with its own interval; all seeded, so not flaky.
  // Bands are about ±3 binomial standard deviations around the nominal level; the two levels must not overlap.
  const coverage = (alpha: number): number => {
    const draw = seededRandom(7);
    let covered = 0;
    for (let t = 0; t < 300; t++) {
      const data = Array.from({ length: 40 }, () => draw());
      const ci = bootstrapCI(data, { samples: 400, seed: t, alpha });
      if (ci.low <= 0.5 && 0.5 <= ci.high) covered += 1;
    }
    return covered / 300;
  };
  const c95 = coverage(0.05);
  const c80 = coverage(0.2);
  assert.ok(c95 > 0.91 && c95 < 0.99, `95% coverage ${c95}`);
  assert.ok(c80 > 0.72 && c80 < 0.87, `80% coverage ${c80}`);
});

test('a lower confidence level gives a narrower interval', () => {
  const values = Array.from({ length: 100 }, (_, i) => Math.sin(i) + 1);
  const wide = bootstrapCI(values, { alpha: 0.01 });
  const narrow = bootstrapCI(values, { alpha: 0.5 });
  assert.ok(wide.low < narrow.low && narrow.high < wide.high);
});

test('statistics undefined on a resample are left out; several statistics share resamples', () => {
  const [always, never] = bootstrapStatistics(5, [(idx) => idx.length, () => NaN], { samples: 10 });
  assert.deepEqual(always, { low: 5, high: 5 });
  assert.equal(never, null);
  assert.deepEqual(bootstrapStatistics(0, [() => 1]), [null]);
});

test('bad options and values are named', () => {
  assert.throws(() => bootstrapCI([]), /values: at least one value/);
  assert.throws(() => bootstrapCI([1, NaN]), /values\[1\]: not a finite number/);
  assert.throws(() => bootstrapCI([1], { samples: 0 }), /samples: a positive integer/);
  assert.throws(() => bootstrapCI([1], { alpha: 1 }), /alpha: strictly between 0 and 1/);
  assert.throws(() => bootstrapCI([1], { seed: 0.5 }), /seed: an integer/);
});
