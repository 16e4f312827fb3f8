// Chart colours come from VS Code's theme variables, read when drawing and again when the theme changes.
export interface ChartTheme {
  foreground: string;
  grid: string;
  prompt: string;
  response: string;
  font: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export function chartTheme(): ChartTheme {
  const size = cssVar('--vscode-font-size', '13px');
  return {
    foreground: cssVar('--vscode-descriptionForeground', cssVar('--vscode-foreground', '#888')),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    prompt: cssVar('--vscode-charts-blue', '#3794ff'),
    response: cssVar('--vscode-charts-green', '#89d185'),
    font: `${size} ${cssVar('--vscode-font-family', 'sans-serif')}`,
  };
}

/** Calls `onChange` when VS Code switches theme (it swaps the body's classes and the CSS variables). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
