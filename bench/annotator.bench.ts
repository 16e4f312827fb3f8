// Pair annotator on a large file: 100k records (alpaca, preference and ranking mixed, ~300 B each, some reviewed).
// Timed in this run, each the median of several repetitions:
//   reference: split + JSON.parse of every line (the floor for anything that reads every record);
//   open:      what the host does before the first paint — summarize the first slice, filter, state,
//              first page of row views and the first record view (the rest is indexed in slices afterwards);
//   index:     summarizing all 100k lines (progress, status/task filters need it), and one slice of it
//              (how long the host thread is busy at a time while indexing);
//   filter:    a text search over all records; an action: one accept computed on one line.
// `BENCH_RECORDS=20000 npm run bench annotator` for a quicker run.
import { seededRandom } from '../src/core/random';
import { applyAction } from '../src/core/annotate/actions';
import { filterLines } from '../src/core/annotate/filter';
import { LineIndex } from '../src/core/annotate/lineIndex';
import { recordView, rowView } from '../src/core/annotate/recordView';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const REPS = 5;
const SLICE = 4000; // as in src/host/annotator/annotatorSession.ts
const SYNC_LIMIT = 2000;
const PAGE = 100;

const rand = seededRandom;

function generate(): string[] {
  const r = rand(11);
  const words = 'energy system process result value model change pattern signal layer input output cost risk balance source rate effect'.split(' ');
  const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(r() * words.length)]).join(' ');
  const tasks = ['math', 'summarise', 'qa', 'code', 'creative'];
  const lines: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const u = r();
    const rec: Record<string, unknown> =
      u < 0.6 ? { instruction: text(12), input: u < 0.3 ? text(8) : '', output: text(30) }
      : u < 0.9 ? { prompt: text(12), chosen: text(25), rejected: text(25) }
      : { prompt: text(10), responses: [text(15), text(15), text(15)], ranking: [2, 0, 1] };
    rec.task = tasks[i % tasks.length];
    if (r() < 0.3) rec.review = { status: r() < 0.8 ? 'accepted' : 'rejected', rating: 1 + Math.floor(r() * 5) };
    lines.push(JSON.stringify(rec));
  }
  return lines;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void): number {
  const best: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    fn();
    best.push(performance.now() - t);
  }
  return median(best);
}

const lines = generate();
const text = `${lines.join('\n')}\n`;
const all = text.split('\n');
const lineAt = (i: number) => all[i];
const noProblems = () => undefined;
console.log(`${RECORDS} records, ${(text.length / 1e6).toFixed(1)} MB`);

let sink = 0;
const reference = time(() => {
  for (const l of text.split('\n')) if (l) sink += (JSON.parse(l) as object) ? 1 : 0;
});

const open = time(() => {
  const index = new LineIndex();
  index.reset(all.length);
  index.summarize(lineAt, 0, SYNC_LIMIT);
  const filtered = filterLines(index, lineAt, noProblems, {});
  const progress = index.progress();
  const rows = filtered.slice(0, PAGE).map((l) => rowView(l, lineAt(l)));
  const first = recordView(filtered[0], lineAt(filtered[0]));
  sink += rows.length + progress.records + first.prompt.length;
});

const full = new LineIndex();
const indexAll = time(() => {
  full.reset(all.length);
  full.summarize(lineAt, 0, all.length);
});
const slice = time(() => {
  const index = new LineIndex();
  index.reset(all.length);
  index.summarize(lineAt, 50_000 % all.length, 50_000 % all.length + SLICE);
});
const statusFilter = time(() => { sink += filterLines(full, lineAt, noProblems, { status: 'accepted', task: 'qa' }).length; });
const textSearch = time(() => { sink += filterLines(full, lineAt, noProblems, { text: 'Balance Source' }).length; });
const progress = time(() => { sink += full.progress().reviewed; });
const action = time(() => { sink += applyAction(lines[12345], { kind: 'status', status: 'accepted' }).length; });

const ms = (x: number) => `${x.toFixed(1)} ms`;
const ratio = (x: number) => `${(x / reference).toFixed(2)}× reference`;
console.log(`reference  split + JSON.parse of every line   ${ms(reference)}`);
console.log(`open       first slice + first page + record  ${ms(open)}   (${ratio(open)}; target: first paint well under 2 s)`);
console.log(`index      all ${RECORDS} lines                   ${ms(indexAll)}   (${ratio(indexAll)}; done in the background, in slices)`);
console.log(`slice      ${SLICE} lines (host busy at a time)      ${ms(slice)}`);
console.log(`filter     status + task over all             ${ms(statusFilter)}`);
console.log(`filter     text search over all               ${ms(textSearch)}`);
console.log(`progress   reviewed / total                   ${ms(progress)}`);
console.log(`action     accept on one line                 ${ms(action)}`);
if (sink === -1) console.log('');
