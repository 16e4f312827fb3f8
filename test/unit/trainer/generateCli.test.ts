// `generate --record JSON` (used by the pair annotator to answer any record format): bad values are usage errors
// (exit 2) that name the flag, checked before any model is loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../src/cli/main';

async function cli(args: string[]) {
  let stderr = '';
  const code = await main(args, { stdout: () => undefined, stderr: (s) => { stderr += s; }, isTTY: false, cwd: process.cwd() });
  return { code, stderr };
}

test('--record must be one JSON object, and only one of --prompt / --data / --record is given', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['generate', '--model', 'm', '--record', '{"instruction": '], /--record: not valid JSON/],
    [['generate', '--model', 'm', '--record', '[1, 2]'], /--record: must be a JSON object/],
    [['generate', '--model', 'm', '--prompt', 'x', '--record', '{}'], /exactly one of --prompt TEXT or --data FILE \(or --record JSON\)/],
    [['generate', '--model', 'm'], /exactly one of/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
  }
});

test('a valid --record reaches the model loading step (the folder is what fails here, named)', async () => {
  const r = await cli(['generate', '--model', 'no-such-model-folder', '--record', '{"messages": [{"role": "user", "content": "hi"}]}']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no-such-model-folder: no such model folder/);
});
