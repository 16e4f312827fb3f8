// Pure core, thin shell: only the editor adapters may talk to the `vscode` API.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noVscode = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'Only src/host/** and src/extension.ts may import vscode: keep core, trainer, CLI and webviews editor-free.' }],
  }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', '*.vsix', 'media/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      ...noVscode,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  { files: ['webview/**'], languageOptions: { globals: { ...globals.browser } } },
  // The editor adapters and the tests that run inside the extension host are the only places allowed to use the API.
  { files: ['src/host/**', 'src/extension.ts', 'test/integration/**'], rules: { 'no-restricted-imports': 'off' } },
);
