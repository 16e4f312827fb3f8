// One esbuild invocation per target; each target is a bundle listed here so adding one is a line.
// --watch rebuilds on change; --production minifies.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// jsonc-parser's UMD "main" requires its parts at run time ('./impl/format'), which a bundle cannot resolve: the
// extension failed to activate in a real VS Code. Its ES module build bundles cleanly.
const jsoncParserEsm = {
  name: 'jsonc-parser-esm',
  setup(build) {
    build.onResolve({ filter: /^jsonc-parser$/ }, () => ({ path: `${process.cwd()}/node_modules/jsonc-parser/lib/esm/main.js` }));
  },
};
const node = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, minify: production, logLevel: 'info', plugins: [jsoncParserEsm] };
const browser = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: true, minify: production, logLevel: 'info' };

/** Optional native backends are resolved at run time from the user's machine, never bundled. */
const nodeExternals = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

export const targets = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: nodeExternals },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: nodeExternals, banner: { js: '#!/usr/bin/env node' } },
];

// Later bundles register themselves by existing: trainer child, workers, webviews.
const optional = [
  { ...node, entryPoints: ['src/trainer/main.ts'], outfile: 'dist/trainer.js', external: nodeExternals },
  { ...node, entryPoints: ['src/host/workers/datasetWorker.ts'], outfile: 'dist/datasetWorker.js', external: nodeExternals },
  // Data-parallel training workers (src/trainer/engine/pool.ts looks for it beside the bundle).
  { ...node, entryPoints: ['src/trainer/engine/worker.ts'], outfile: 'dist/engineWorker.js', external: nodeExternals },
];
for (const t of optional) if (existsSync(t.entryPoints[0])) targets.push(t);
// Every webview/<name>/main.ts becomes dist/webview/<name>.js.
import { readdirSync } from 'node:fs';
if (existsSync('webview')) {
  for (const name of readdirSync('webview')) {
    const entry = `webview/${name}/main.ts`;
    if (existsSync(entry)) targets.push({ ...browser, entryPoints: [entry], outfile: `dist/webview/${name}.js`, loader: { '.ttf': 'file', '.css': 'css' } });
  }
}
// Monaco's editor worker (template editor): the page fetches it and starts it from a same-origin Blob.
if (existsSync('webview/templateEditor/editorWorker.ts')) {
  targets.push({ ...browser, entryPoints: ['webview/templateEditor/editorWorker.ts'], outfile: 'dist/webview/editor.worker.js' });
}

mkdirSync('dist', { recursive: true });
// The wasm backend loads its .wasm binaries from beside the bundle at run time.
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  if (existsSync(`${wasmDir}/${f}`)) cpSync(`${wasmDir}/${f}`, `dist/${f}`);
}
// The threaded build's Emscripten factory, which its pthread workers load by path (src/trainer/backend/wasmThreads.ts).
const threadedFactory = 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
if (existsSync(threadedFactory)) cpSync(threadedFactory, 'dist/tfjs-backend-wasm-threaded-simd.js');

if (watch) {
  const ctxs = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(ctxs.map((c) => c.watch()));
  console.log(`watching ${targets.length} bundles`);
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
