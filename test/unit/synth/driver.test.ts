// The synthesis driver over a scripted engine: each prompt row "writes" the next scripted proposal, so the test pins
// the plumbing (prompts, parsing, filters, provenance, counts, stopping) without depending on what a model says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import type { GenerationSession } from '../../../src/trainer/engine/types';
import { synthesize, type SynthModel } from '../../../src/trainer/synth';
import type { SeedTask } from '../../../src/core/synth';

const tok = new ByteTokenizer();

function scripted(texts: string[]): SynthModel & { prompts: string[] } {
  let next = 0;
  const prompts: string[] = [];
  const onehot = (id: number) => { const l = new Float32Array(tok.vocabSize); l[id] = 60; return l; };
  return {
    tokenizer: tok,
    contextLength: 4096,
    prompts,
    engine: {
      nextTokenLogits: () => Promise.reject(new Error('the driver should use the cached session')),
      startGeneration: async (rows: number[][]): Promise<GenerationSession> => {
        const scripts = rows.map((p) => {
          prompts.push(tok.decode(p, { skipSpecial: true }));
          return [...tok.encode(texts[next++ % texts.length]).ids, tok.eosId];
        });
        const pos = rows.map(() => 0);
        return {
          size: rows.length,
          logits: scripts.map((s) => onehot(s[0])),
          step: async (rs) => rs.map((r) => onehot(scripts[r][++pos[r]])),
          dispose: () => {},
        };
      },
    },
  };
}

const seeds: SeedTask[] = [
  { instruction: 'Reverse the given word.', input: 'lantern', output: 'nretnal', line: 2 },
  { instruction: 'What is the capital of Peru?', input: '', output: 'Lima.', line: 5 },
  { instruction: 'Add the two numbers together.', input: '29 5', output: '34', line: 9 },
];

const proposals = [
  'Reverse the given word, please.\n\n### Input:\nbottle\n\n### Response:\nelttob\n', // near-duplicate of a seed
  'Name three primary colours.\n\n### Response:\nRed, blue and yellow.\n\nTask 5\n### Instruction:\nMore', // kept
  'Name three primary colours, please.\n\n### Response:\nRed, blue, yellow.', // near-duplicate of the kept one
  'Describe a cat in one sentence.', // instruction-only
  '### Response:\nJust an answer', // response-only
  'Count the vowels in the word.\n\n### Input:\nbanana\n\n### Response:\n3', // kept
];

test('proposals are parsed, filtered, counted, and kept ones carry their provenance', async () => {
  const model = scripted(proposals);
  const r = await synthesize(model, seeds, { n: 2, batchSize: 3, examplesPerPrompt: 2, seed: 7, maxNewTokens: 200 });
  assert.equal(r.stoppedBy, 'enough');
  assert.deepEqual(r.records.map((x) => [x.instruction, x.input, x.output, x.source]), [
    ['Name three primary colours.', '', 'Red, blue and yellow.', 'synth'],
    ['Count the vowels in the word.', 'banana', '3', 'synth'],
  ]);
  for (const x of r.records) {
    assert.equal(x.seed_lines.length, 2);
    for (const l of x.seed_lines) assert.ok([2, 5, 9].includes(l));
  }
  assert.equal(r.proposals, 6);
  assert.equal(r.kept, 2);
  assert.equal(r.dropped['near-duplicate-seed'], 1);
  assert.equal(r.dropped['near-duplicate-generated'], 1);
  assert.equal(r.dropped['instruction-only'], 1);
  assert.equal(r.dropped['response-only'], 1);
  assert.equal(r.droppedSamples.length, 4);
  // Every prompt shows two seed tasks and opens the next one.
  assert.equal(model.prompts.length, 6);
  for (const p of model.prompts) {
    assert.equal(p.match(/### Instruction:/g)?.length, 3);
    assert.ok(p.endsWith('Task 3\n### Instruction:\n'));
  }
});

test('the same seed draws the same examples; the proposal budget stops a model that never satisfies the filters', async () => {
  const a = scripted(['']);
  const b = scripted(['']);
  const ra = await synthesize(a, seeds, { n: 5, maxProposals: 10, batchSize: 4, seed: 3 });
  await synthesize(b, seeds, { n: 5, maxProposals: 10, batchSize: 4, seed: 3 });
  assert.deepEqual(a.prompts, b.prompts);
  assert.equal(ra.stoppedBy, 'max-proposals');
  assert.equal(ra.proposals, 10);
  assert.equal(ra.dropped.empty, 10);
  assert.deepEqual(ra.records, []);
});

test('a stop request ends the run with what was kept', async () => {
  let calls = 0;
  const r = await synthesize(scripted(proposals), seeds, { n: 50, batchSize: 2 }, { shouldStop: () => ++calls > 40 });
  assert.equal(r.stoppedBy, 'cancelled');
  assert.ok(r.proposals < 50);
});
