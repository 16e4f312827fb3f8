// `npm run bench [name...]`: runs bench/*.bench.ts one after another (never in parallel: they measure speed).
// Each bench prints its own figures, as ratios against a reference measured in the same run.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const wanted = process.argv.slice(2);
const files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts') || f.endsWith('.bench.mjs')).sort()
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
if (files.length === 0) { console.error('no benchmarks match', wanted.join(' ')); process.exit(1); }
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
