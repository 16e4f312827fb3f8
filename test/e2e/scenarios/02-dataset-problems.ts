// A user opens a bad dataset by name and finds its problems, with their codes, in the Problems panel.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { scenario } from '../harness/scenario';

interface CliProblem {
  line: number;
  code: string;
}

export default scenario({
  title: 'Quick Open a bad dataset: the Problems panel lists its instruct-studio problems',
  requires: ['instructStudio.validateDataset'],
  async run(wb) {
    // The bundled problems sample once it ships; the integration fixture until then.
    const file = existsSync(wb.workspaceFile('problems.jsonl')) ? 'problems.jsonl' : 'fixtures/alpaca-problems.jsonl';
    await wb.quickOpen(file.split('/').pop()!);
    const expected = (JSON.parse(wb.cli(['validate', '--json', wb.workspaceFile(file)])) as { problems: CliProblem[] }).problems;
    assert.ok(expected.length > 0, `the CLI finds problems in ${file}`);

    const rows = await wb.problems(Math.min(expected.length, 4) + 1);
    const markers = rows.filter((r) => /\[Ln \d+, Col \d+\]/.test(r));
    assert.ok(markers.length > 0, `marker rows in the Problems panel:\n${rows.join('\n')}`);
    for (const row of markers) {
      // Shown as "instruct-studio(code) [Ln 3, Col 1]"; source and code are separate elements in the DOM.
      const m = /instruct-studio\s*\(?\s*([a-z-]+)\s*\)?\s*\[Ln (\d+), Col \d+\]/.exec(row.replace(/\s+/g, ' '));
      assert.ok(m, `every problem comes from instruct-studio and shows its code: ${row}`);
      const [, code, line] = m;
      assert.ok(
        expected.some((p) => p.code === code && p.line === Number(line)),
        `${code} on line ${line} is one the CLI reports too`,
      );
    }
  },
});
