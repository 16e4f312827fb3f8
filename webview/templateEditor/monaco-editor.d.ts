// Monaco's package exports map `monaco-editor/<path>.js` to its ESM build, which esbuild follows; TypeScript's
// `node` resolution does not read exports maps, so the API's types are pointed at here.
declare module 'monaco-editor/editor/editor.api.js' {
  export * from 'monaco-editor/esm/vs/editor/editor.api';
}
