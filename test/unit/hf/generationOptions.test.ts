// Each generation option changes what it should, on the tiny GPT-2 fixture and on crafted logits: top-k 1 and a
// vanishing top-p or temperature are greedy, repetition penalty follows transformers, stop tokens and stop strings
// end a row, streaming emits exactly the final text, generation_config.json supplies defaults, the CLI streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEngine } from '../../../src/trainer/engine';
import type { Engine } from '../../../src/trainer/engine/types';
import { loadHfModelFolder } from '../../../src/trainer/hf/loadFolder';
import { answerStopIds, answerText, cutAtStopString, generateIds, GREEDY, penalizeRepetition, pickToken, TextStreamer, type SamplingOptions } from '../../../src/trainer/generate';
import { samplingDefaults } from '../../../src/trainer/hf/generationConfig';
import { Rng } from '../../../src/trainer/rng';
import { main } from '../../../src/cli/main';
import { ByteTokenizer } from '../../../src/core/tokenizer/byteTokenizer';
import { defaultRenderer } from '../../../src/core/template/index';

const DIR = join(__dirname, '../../fixtures/hf/gpt2-tiny');
const hf = loadHfModelFolder(DIR);
const tok = hf.tokenizer;
const prompts = ['Hello world', 'the quick brown', 'it said'].map((t) => tok.encode(t).ids);
const decode = (ids: readonly number[]) => tok.decode(ids, { skipSpecial: true });

async function withEngine(f: (e: Engine) => Promise<void>): Promise<void> {
  const engine = await createEngine({ config: hf.config, params: hf.params, seed: 0, threads: 1 });
  try {
    await f(engine);
  } finally {
    await engine.dispose();
  }
}

const run = (e: Engine, o: Partial<SamplingOptions>, seed = 0) =>
  generateIds(e, prompts, { ...GREEDY, maxNewTokens: 10, stopIds: [], ...o }, 32, new Rng(seed));

test('top-k 1, a vanishing top-p and a vanishing temperature all equal greedy; seeded sampling repeats, another seed differs', async () => {
  await withEngine(async (e) => {
    const greedy = await run(e, {});
    for (const seed of [1, 2, 3]) {
      assert.deepEqual(await run(e, { temperature: 1, topK: 1 }, seed), greedy, `top-k 1, seed ${seed}`);
      assert.deepEqual(await run(e, { temperature: 1, topP: 1e-6 }, seed), greedy, `top-p 1e-6, seed ${seed}`);
      assert.deepEqual(await run(e, { temperature: 1e-4 }, seed), greedy, `temperature 1e-4, seed ${seed}`);
    }
    const a = await run(e, { temperature: 1.5 }, 7);
    assert.deepEqual(await run(e, { temperature: 1.5 }, 7), a);
    assert.notDeepEqual(await run(e, { temperature: 1.5 }, 8), a);
    assert.notDeepEqual(a, greedy);
  });
});

test('repetition penalty: transformers semantics on crafted logits, and no repeats under a strong penalty', async () => {
  const logits = Float32Array.of(2.0, 1.9, -1.0, 0.5);
  const rng = new Rng(0);
  assert.equal(pickToken(logits, GREEDY, rng), 0);
  const p = penalizeRepetition(logits, [[0, 2], [0]], 1.5);
  assert.deepEqual(Array.from(p), [2.0 / 1.5, 1.9, -1.5, 0.5].map(Math.fround));
  assert.equal(pickToken(p, GREEDY, rng), 1, 'the repeated token loses its lead');
  await withEngine(async (e) => {
    const greedy = await run(e, {});
    assert.ok(greedy.some((o) => new Set(o).size < o.length), 'the fixture repeats itself greedily');
    const penalized = await run(e, { repetitionPenalty: 1e4 });
    assert.notDeepEqual(penalized, greedy);
    for (const [i, o] of penalized.entries()) {
      assert.equal(new Set(o).size, o.length, `row ${i} repeats: ${o}`);
      assert.ok(o.every((id) => !prompts[i].includes(id)), 'prompt tokens are penalized too');
    }
  });
});

/** A stretch of two readable characters in the text (random weights also produce bytes that are not UTF-8). */
function readablePair(text: string): number {
  const at = Array.from({ length: text.length }, (_, i) => i).find((i) => i + 1 < text.length && /^[\x20-\x7e]{2}$/.test(text.slice(i, i + 2)) && i > 0);
  assert.ok(at !== undefined, `no readable pair in ${JSON.stringify(text)}`);
  return at!;
}

test('a stop token ends its row only; stop strings end a row at the token that completes them and cut the text', async () => {
  await withEngine(async (e) => {
    const greedy = await run(e, {});
    // A row and a position whose token appears there for the first time.
    const r = greedy.findIndex((o) => o.findIndex((id, k) => k >= 2 && o.indexOf(id) === k) >= 0);
    const k = greedy[r].findIndex((id, j) => j >= 2 && greedy[r].indexOf(id) === j);
    const stopped = await run(e, { stopIds: [greedy[r][k]] });
    assert.deepEqual(stopped[r], greedy[r].slice(0, k));
    for (let i = 0; i < prompts.length; i++) if (!greedy[i].includes(greedy[r][k])) assert.deepEqual(stopped[i], greedy[i], `row ${i} is not stopped`);
    const sampled = await run(e, { temperature: 1 }, 5);
    const text = decode(sampled[0]);
    const at = readablePair(text);
    const s = text.slice(at, at + 2);
    const cut = await run(e, { temperature: 1, stopStrings: [s], decode }, 5);
    assert.ok(decode(cut[0]).includes(s) && !decode(cut[0].slice(0, -1)).includes(s), 'stops at the completing token');
    assert.ok(cut[0].length < sampled[0].length);
    assert.equal(cutAtStopString(decode(cut[0]), [s]).text, text.slice(0, text.indexOf(s)));
  });
  assert.deepEqual(cutAtStopString('abc###def', ['###', 'c#']), { text: 'ab', stopped: true });
  assert.deepEqual(cutAtStopString('abc', ['x']), { text: 'abc', stopped: false });
});

test('streaming: chunks concatenate to the final (cut) text; a partial UTF-8 character or stop string is held back', async () => {
  await withEngine(async (e) => {
    const sampled = await generateIds(e, [prompts[0]], { ...GREEDY, temperature: 1, maxNewTokens: 10, stopIds: [] }, 32, new Rng(5));
    const chunks: string[] = [];
    const streamer = new TextStreamer(decode, (t) => chunks.push(t));
    const [out] = await generateIds(e, [prompts[0]], { ...GREEDY, temperature: 1, maxNewTokens: 10, stopIds: [], onToken: (_r, id) => streamer.push(id) }, 32, new Rng(5));
    streamer.end();
    assert.deepEqual(out, sampled[0]);
    assert.equal(chunks.join(''), decode(sampled[0]));
    assert.ok(chunks.length > 1, 'tokens arrive one by one');
  });
  const ids = tok.encode('é!').ids; // two byte tokens for é, then !
  assert.equal(ids.length, 3);
  const chunks: string[] = [];
  const s = new TextStreamer(decode, (t) => chunks.push(t), ['!!']);
  s.push(ids[0]);
  assert.deepEqual(chunks, [], 'half of é is not emitted');
  s.push(ids[1]);
  assert.deepEqual(chunks, ['é']);
  s.push(ids[2]);
  assert.deepEqual(chunks, ['é'], '"!" may start the stop string "!!"');
  s.push(ids[2]);
  s.end();
  assert.deepEqual(chunks, ['é'], 'the stop string is never emitted');
});

test('generation_config.json defaults as transformers reads them', () => {
  assert.deepEqual(samplingDefaults({ eos_token_id: [2, 7], max_new_tokens: 20 }), { temperature: 0, maxNewTokens: 20, stopIds: [2, 7] });
  assert.deepEqual(samplingDefaults({ do_sample: true, temperature: 0.6, top_p: 0.9, repetition_penalty: 1.1, eos_token_id: 5 }), { temperature: 0.6, topK: 50, topP: 0.9, repetitionPenalty: 1.1, stopIds: [5] });
  assert.deepEqual(samplingDefaults(null), { stopIds: [] });
});

test('CLI generate on an HF folder: --raw continues the text, streamed to stdout, seeded; --stop cuts; bad options are usage errors', async () => {
  const out: string[] = [];
  let stderr = '';
  const io = { stdout: (s: string) => { out.push(s); }, stderr: (s: string) => { stderr += s; }, isTTY: false, cwd: process.cwd() };
  const args = ['generate', '--model', DIR, '--prompt', 'Hello world', '--raw', '--max-new-tokens', '8', '--temperature', '1', '--seed', '5'];
  const code = await main(args, io);
  assert.equal(code, 0, stderr);
  let expected = '';
  await withEngine(async (e) => {
    const [ids] = await generateIds(e, [prompts[0]], { ...GREEDY, temperature: 1, maxNewTokens: 8, stopIds: [tok.eosId] }, 32, new Rng(5));
    expected = decode(ids);
  });
  assert.equal(out.join(''), expected + '\n');
  assert.ok(out.length > 2, 'streamed in pieces');
  const at = readablePair(expected);
  const cut = expected.slice(at, at + 2);
  out.length = 0;
  assert.equal(await main([...args, '--stop', cut, '--json'], io), 0);
  assert.equal(JSON.parse(out.join('')).output, expected.slice(0, expected.indexOf(cut)));
  out.length = 0;
  assert.equal(await main([...args, '--stop', cut], io), 0);
  assert.equal(out.join(''), expected.slice(0, expected.indexOf(cut)) + '\n', 'the streamed text stops before the stop string');
  for (const [flag, value] of [['--repetition-penalty', '0'], ['--top-p', '0'], ['--top-k', '1.5']]) {
    stderr = '';
    assert.equal(await main(['generate', '--model', DIR, '--prompt', 'x', flag, value], io), 2);
    assert.match(stderr, new RegExp(flag));
  }
});

test('an answer ends at the end-of-turn marker: a stop token where the tokenizer has it, cut from the text where it does not', () => {
  const bytes = new ByteTokenizer();
  const end = bytes.specialTokens.get('<|end|>')!;
  assert.deepEqual(answerStopIds(bytes).sort(), [bytes.eosId, end].sort());
  assert.deepEqual(answerStopIds(tok), [tok.eosId], 'GPT-2 spells <|end|> with ordinary tokens: no stop id for it');
  const ends = defaultRenderer().endMarkers;
  assert.equal(answerText(bytes, [...bytes.encode('rekab').ids, end, bytes.eosId], ends), 'rekab');
  // A GPT-2 base without a chat template trains through the byte-level format: its answers carry "<|end|>" as text.
  const written = [...tok.encode('rekab<|end|>').ids, tok.eosId];
  assert.ok(decode(written).includes('<|end|>'));
  assert.equal(answerText(tok, written, ends), 'rekab');
});
