// Validation speed against the floor of reading the same file: a ~100 MB alpaca JSONL is generated in a temp folder,
// then (1) read + split + JSON.parse of every line (the reference) and (2) validateFile, with the same reader
// settings, are timed alternately in this run. Prints both, their ratio (target <= 3x, aim 1.5x), and memory.
// `BENCH_MB=20 npm run bench validate` for a quicker run.
import { seededRandom } from '../src/core/random';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { validateFile } from '../src/core/dataset';

const TARGET_MB = Number(process.env.BENCH_MB ?? 100);

const topics = ['photosynthesis', 'the French Revolution', 'binary search', 'compound interest', 'the water cycle', 'TCP handshakes',
  'sourdough starters', 'plate tectonics', 'unit testing', 'the Krebs cycle', 'supply and demand', 'black holes', 'HTTP caching',
  'the Roman Senate', 'vaccines', 'recursion', 'jazz harmony', 'glaciers', 'public-key cryptography', 'tide pools'];
const asks = ['Explain {t} to a high-school student.', 'Summarize the key ideas of {t} in three sentences.', 'Write a short quiz about {t}.',
  'What are common misconceptions about {t}?', 'Give an analogy that makes {t} easier to understand.', 'List the main steps involved in {t}.',
  'Compare {t} with a related idea and explain the difference.', 'Draft an email to a colleague describing {t}.'];
const phrases = ['In short,', 'A useful way to see it:', 'First,', 'Then,', 'Finally,', 'For example,', 'This matters because', 'Note that',
  'In practice,', 'A common mistake is to assume that', 'Put simply,', 'Historically,'];
const words = 'energy system process result value model change pattern signal layer input output cost risk balance source rate effect structure theory step method data record measure limit cycle flow'.split(' ');

const rand = seededRandom;

async function generate(path: string): Promise<{ bytes: number; records: number }> {
  const r = rand(7);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const out = createWriteStream(path);
  const recent: string[] = [];
  let bytes = 0;
  let records = 0;
  let buf = '';
  while (bytes < TARGET_MB * 1e6) {
    let line: string;
    const u = r();
    if (u < 0.02 && recent.length) line = pick(recent); // exact duplicate
    else if (u < 0.04 && recent.length) line = pick(recent).replace(/ the /, ' a '); // near-duplicate
    else {
      const t = pick(topics);
      const parts: string[] = [];
      const n = 2 + Math.floor(r() * 12);
      for (let i = 0; i < n; i++) {
        const len = 8 + Math.floor(r() * 14);
        const body = Array.from({ length: len }, () => pick(words)).join(' ');
        // what real responses contain: paragraphs, bullet lists, quotes, numbers, typography, the odd code span
        const u2 = r();
        if (u2 < 0.15) parts.push(`\n\n${pick(phrases)} ${body} in ${t}.`);
        else if (u2 < 0.3) parts.push(`\n- ${body} (${Math.floor(r() * 1000)} cases)`);
        else if (u2 < 0.38) parts.push(`"${body}" — as the saying goes about ${t}.`);
        else if (u2 < 0.42) parts.push(`Use \`${pick(words)}_${pick(words)}()\` to check the ${pick(words)}.`);
        else if (u2 < 0.45) parts.push(`Café résumé naïve: ${body} ✓.`);
        else parts.push(`${pick(phrases)} ${body} in ${t}.`);
      }
      const rec: Record<string, unknown> = { instruction: pick(asks).replace('{t}', t), input: r() < 0.3 ? `Context: ${pick(phrases)} ${t}.` : '', output: parts.join(' ').trim() };
      if (r() < 0.5) rec.category = pick(['explain', 'summarize', 'quiz', 'compare']);
      line = JSON.stringify(rec);
      if (recent.length < 2000) recent.push(line);
      else recent[Math.floor(r() * recent.length)] = line;
    }
    buf += line + '\n';
    bytes += Buffer.byteLength(line) + 1;
    records++;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((res) => out.on('finish', () => res()));
  return { bytes, records };
}

/** The reference: the same reader as validateFile, with JSON.parse as the only work per line. */
async function parseOnly(path: string): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = carry + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      if (line.length) { JSON.parse(line); n++; }
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  return n;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** Wall time, and CPU time of this process (less disturbed when other jobs share the cores). */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T; peakRss: number; heapGrowth: number }> {
  gc();
  const cpu0 = process.cpuUsage();
  const heap0 = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const heapGrowth = process.memoryUsage().heapUsed - heap0;
  return { ms, cpuMs, value, peakRss, heapGrowth };
}

function countCodes(problems: ReadonlyArray<{ code: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of problems) counts[p.code] = (counts[p.code] ?? 0) + 1;
  return counts;
}

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'instruct-bench-'));
  try {
    const file = join(dir, 'alpaca.jsonl');
    const g = await generate(file);
    console.log(`generated ${(statSync(file).size / 1e6).toFixed(1)} MB, ${g.records} alpaca records (2% exact, 2% near duplicates)`);
    // best of rounds, alternating, so drift in machine load hits all three alike
    const best = { base: Infinity, full: Infinity, exactOnly: Infinity, minhash: Infinity, baseCpu: Infinity, fullCpu: Infinity, exactOnlyCpu: Infinity, minhashCpu: Infinity };
    let last: Awaited<ReturnType<typeof timed<Awaited<ReturnType<typeof validateFile>>>>> | undefined;
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    for (let round = 0; round < rounds; round++) {
      const b = await timed(() => parseOnly(file));
      const v = await timed(() => validateFile(file));
      const x = await timed(() => validateFile(file, { nearDuplicates: false }));
      const m = await timed(() => validateFile(file, { nearDuplicates: 'minhash' }));
      best.minhash = Math.min(best.minhash, m.ms); best.minhashCpu = Math.min(best.minhashCpu, m.cpuMs);
      if (round === 0) console.log(`problems with MinHash near-duplicates: ${JSON.stringify(countCodes(m.value.problems))}`);
      last = v;
      best.base = Math.min(best.base, b.ms); best.baseCpu = Math.min(best.baseCpu, b.cpuMs);
      best.full = Math.min(best.full, v.ms); best.fullCpu = Math.min(best.fullCpu, v.cpuMs);
      best.exactOnly = Math.min(best.exactOnly, x.ms); best.exactOnlyCpu = Math.min(best.exactOnlyCpu, x.cpuMs);
    }
    const { base, full, exactOnly } = best;
    console.log(`problems found by default: ${JSON.stringify(countCodes(last!.value.problems))}`);
    console.log(`best of ${rounds} rounds; wall time (CPU time of this process)`);
    console.log(`reference (read + split + JSON.parse):  ${base.toFixed(0)} ms (${best.baseCpu.toFixed(0)} ms)`);
    const row = (name: string, ms: number, cpu: number, note = '') =>
      console.log(`${name.padEnd(40)} ${ms.toFixed(0)} ms (${cpu.toFixed(0)} ms)   ratio ${(ms / base).toFixed(2)}x (CPU ${(cpu / best.baseCpu).toFixed(2)}x)${note}`);
    row('validateFile (default: exact + normalized)', full, best.fullCpu, '  target <= 3x, aim 1.5x');
    row('validateFile (exact duplicates only)', exactOnly, best.exactOnlyCpu);
    row('validateFile (MinHash near-duplicates)', best.minhash, best.minhashCpu);
    console.log(`machine load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);
    console.log(`memory during validateFile: peak RSS ${mb(last!.peakRss)}, heap growth ${mb(last!.heapGrowth)} (kept: per-record hashes, signatures, problems)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
