// `instruct-studio render`: a record as the model sees it, with the trained spans marked, the way the trainer
// and the template editor's preview render it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, UsageError } from '../args';
import type { CliCommand, CliIO } from '../command';
import { loadDatasetFile, type ParsedRecord } from '../../core/dataset/index';
import {
  analyzeRendering,
  createRenderer,
  PRESET_NAMES,
  RenderError,
  resolveChatTemplateSource,
  resolveTemplateRef,
  TemplateError,
  TemplateRefError,
  tokenView,
  type TemplateFileAccess,
  type DetailedRendering,
  type TemplateRenderer,
  type TemplateWarning,
  type TokenView,
} from '../../core/template/index';
import { ByteTokenizer } from '../../core/tokenizer/byteTokenizer';
import { loadFolderTokenizer } from '../../core/tokenizer/folderTokenizer';
import type { Tokenizer } from '../../core/tokenizer/types';

const OPEN = '⟦';
const CLOSE = '⟧';
const ANSI = { trained: '\x1b[1;32m', special: '\x1b[2m', warn: '\x1b[33m', dim: '\x1b[2m', reset: '\x1b[0m' };

export const renderCommand: CliCommand = {
  name: 'render',
  summary: 'show records as the model sees them through a template, trained spans marked',
  usage: 'FILE --template T [--line N] [--json] [--max-length N] [--model-template T]',
  flags: {
    template: {
      type: 'string',
      alias: 't',
      description: `a preset (${PRESET_NAMES.join(', ')}), a .jinja file, a tokenizer_config.json (#NAME picks a named template) or a model folder`,
      valueName: 'T',
    },
    line: { type: 'number', alias: 'n', description: 'only the record starting at this line', valueName: 'N' },
    json: { type: 'boolean', description: 'one JSON object per record: {line, text, trainSpans, tokens, warnings}' },
    'max-length': { type: 'number', description: 'warn when truncation at N tokens cuts a response', valueName: 'N' },
    'model-template': { type: 'string', description: "the model's own template (same forms as --template), to warn when T differs", valueName: 'T' },
  },
  async run(args, io) {
    const f = args.flags;
    if (args.positional.length !== 1) throw new UsageError(args.positional.length ? `one data file expected, got ${args.positional.length}` : 'the data FILE is missing');
    if (typeof f.template !== 'string') throw new UsageError('--template T is required');
    const line = f.line;
    if (line !== undefined && (typeof line !== 'number' || !Number.isInteger(line) || line < 1)) throw new UsageError('--line needs a line number (1 or more)');
    const maxLength = f['max-length'];
    if (maxLength !== undefined && (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 1)) throw new UsageError('--max-length needs a positive whole number');
    // A model folder as the template tokenizes with its own tokenizer.json: the tokens shown are the model's.
    const templateDir = resolve(io.cwd, f.template);
    let tokenizer: Tokenizer = new ByteTokenizer();
    if (existsSync(templateDir) && statSync(templateDir).isDirectory()) {
      try {
        tokenizer = loadFolderTokenizer(templateDir) ?? tokenizer;
      } catch (e) {
        throw new InputError((e as Error).message);
      }
    }
    let renderer: TemplateRenderer;
    let modelTemplate: string | undefined;
    try {
      const files = fileAccess(io);
      renderer = createRenderer(resolveTemplateRef(f.template, files, tokenizer));
      modelTemplate = typeof f['model-template'] === 'string' ? resolveChatTemplateSource(f['model-template'], files) : undefined;
    } catch (e) {
      // a template that is missing or does not compile is the invocation's problem, like a bad flag: exit 2
      if (e instanceof TemplateRefError) throw new UsageError(e.message);
      if (e instanceof TemplateError) throw new InputError(e.message);
      throw e;
    }

    const dataFile = args.positional[0];
    const dataPath = resolve(io.cwd, dataFile);
    if (!existsSync(dataPath)) throw new InputError(`${dataFile}: no such file`);
    if (statSync(dataPath).isDirectory()) throw new InputError(`${dataFile}: is a directory, expected a JSONL file`);
    const loaded = await loadDatasetFile(dataPath, { nearDuplicates: false });
    const unparsable = new Map(loaded.result.problems.filter((p) => p.code === 'json-parse' || p.code === 'not-object').map((p) => [p.line, p]));

    let entries: Array<ParsedRecord | { line: number; problem: string }> = [
      ...loaded.records,
      ...[...unparsable.values()].map((p) => ({ line: p.line, problem: p.message })),
    ].sort((a, b) => a.line - b.line);
    if (line !== undefined) {
      const all = entries;
      entries = entries.filter((e) => e.line === line);
      if (entries.length === 0) throw new UsageError(`${dataFile}: no record starts at line ${line}${all.length ? ` (records start at lines ${describeLines(all)})` : ' (the file has no records)'}`);
    }

    const color = io.isTTY && !process.env.NO_COLOR && f.json !== true;
    let failed = 0;
    let first = true;
    for (const entry of entries) {
      const where = `${dataFile}:${entry.line}`;
      if ('problem' in entry) {
        failed++;
        report(io, f.json === true, entry.line, where, entry.problem);
        continue;
      }
      let outputs: Array<{ side?: string; d: DetailedRendering }>;
      try {
        outputs = entry.format === 'preference'
          ? Object.entries(renderer.renderPreference(entry.value)).map(([side, d]) => ({ side, d }))
          : [{ d: renderer.renderDetailed(entry.value) }];
      } catch (e) {
        if (!(e instanceof RenderError)) throw e;
        failed++;
        const place = e.templateError ? ` (${e.templateError.templateName}:${e.templateError.line}:${e.templateError.column})` : '';
        report(io, f.json === true, entry.line, where, `${e.field ? `${e.field}: ` : ''}${(e.templateError?.reason ?? stripField(e))}${place}`, e.field);
        continue;
      }
      for (const { side, d } of outputs) {
        const encoding = tokenizer.encode(d.text);
        const warnings = analyzeRendering(d, renderer, { tokenizer, maxLength, modelTemplate, encoding });
        const tokens = tokenView(d, tokenizer, encoding);
        if (f.json === true) io.stdout(JSON.stringify(toJson(entry.line, side, d, warnings, tokens)) + '\n');
        else {
          if (!first) io.stdout('\n');
          first = false;
          io.stdout(formatText(where, side, d, warnings, tokens, color));
        }
      }
    }
    return failed ? 1 : 0;
  },
};

/** Template files as the user names them, relative to the working folder. */
function fileAccess(io: CliIO): TemplateFileAccess {
  return {
    readText: (p) => {
      const full = resolve(io.cwd, p);
      return existsSync(full) && !statSync(full).isDirectory() ? readFileSync(full, 'utf8') : undefined;
    },
    isDirectory: (p) => {
      const full = resolve(io.cwd, p);
      return existsSync(full) && statSync(full).isDirectory();
    },
  };
}

function report(io: CliIO, json: boolean, line: number, where: string, message: string, field?: string): void {
  io.stderr(`${where}: ${message}\n`);
  if (json) io.stdout(JSON.stringify({ line, error: { message, ...(field ? { field } : {}) } }) + '\n');
}

function stripField(e: RenderError): string {
  return e.field && e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
}

function toJson(line: number, side: string | undefined, d: DetailedRendering, warnings: TemplateWarning[], tokens: TokenView[]) {
  return {
    line,
    ...(side ? { side } : {}),
    text: d.text,
    trainSpans: d.trainSpans,
    tokens: tokens.map((t) => ({ id: t.id, text: t.text, trained: t.trained })),
    warnings: warnings.map((w) => ({ code: w.code, message: w.message, ...(w.span ? { span: w.span } : {}), ...(w.field ? { field: w.field } : {}) })),
  };
}

function formatText(where: string, side: string | undefined, d: DetailedRendering, warnings: TemplateWarning[], tokens: TokenView[], color: boolean): string {
  const trained = tokens.filter((t) => t.trained).length;
  const header = `${where}${side ? ` (${side})` : ''}: ${d.format} record, template ${d.templateName}, ${tokens.length} tokens, ${trained} trained (${d.maskSource === 'generation' ? '{% generation %} blocks' : 'responses + end markers'})`;
  let body = '';
  if (color) {
    // Trained tokens bold green; special tokens dim when not trained, so the structure stays readable.
    for (const t of tokens) {
      if (!t.text) continue;
      body += t.trained ? `${ANSI.trained}${t.text}${ANSI.reset}` : t.special ? `${ANSI.special}${t.text}${ANSI.reset}` : t.text;
    }
  } else {
    let pos = 0;
    for (const [a, b] of d.trainSpans) {
      body += d.text.slice(pos, a) + OPEN + d.text.slice(a, b) + CLOSE;
      pos = b;
    }
    body += d.text.slice(pos);
  }
  const paint = (s: string, c: string) => (color ? `${c}${s}${ANSI.reset}` : s);
  const lines = [paint(`── ${header}`, ANSI.dim), body, ...warnings.map((w) => paint(`warning [${w.code}]${w.field ? ` ${w.field}` : ''}: ${w.message}`, ANSI.warn))];
  return lines.join('\n') + '\n';
}

function describeLines(records: ReadonlyArray<{ line: number }>): string {
  const lines = records.map((r) => r.line);
  return lines.length > 6 ? `${lines.slice(0, 5).join(', ')}, … ${lines.at(-1)}` : lines.join(', ');
}
