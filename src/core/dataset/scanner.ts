// The incremental validator: records go in one at a time (a JSONL line, or an element of a `.json` array), problems
// come out at the end. validateText, validateFile, parsing, statistics and the editor's worker all drive this class,
// so every rule exists once. Memory grows only with per-record hashes and the problems found.
import type { DatasetFormat, ParsedRecord, Problem, ProblemCode, Severity, ValidateOptions, ValidationResult } from './types';
import { DEFAULT_MAX_TOKENS, DEFAULT_NEAR_DUPLICATE_THRESHOLD } from './types';
import { closestFormat, detectFormat, isRecord } from './detect';
import { checkRecord, type Issue } from './checks';
import { locatePaths } from './jsonLocate';
import { HashIndex } from './hash';
import { ContentDigest, NearDuplicateIndex } from './nearDuplicates';
import { countTextTokens } from './tokens';
import { visitContent } from './content';

export interface ScannerOptions extends ValidateOptions {
  file?: string;
  /** Called for every record that is a JSON object, with the problems found on it (in order). */
  onRecord?: (record: ParsedRecord, problems: readonly Problem[]) => void;
}

/** Maps an offset in a record's text to its place in the file. */
export type PositionOf = (offset: number) => { line: number; column: number };

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x3000 || c === 0x2028 || c === 0x2029 || (c >= 0x2000 && c <= 0x200a);
}

export class DatasetScanner {
  readonly file: string;
  private readonly forced?: DatasetFormat;
  private readonly maxTokens: number;
  private readonly maxProblems: number;
  private readonly onRecord?: ScannerOptions['onRecord'];
  private fileFormat?: DatasetFormat;
  private fileFormatLine = 0;
  private records = 0;
  private errors = 0;
  private warnings = 0;
  private truncated = false;
  private readonly problems: Problem[] = [];
  private readonly exact = new HashIndex(4096);
  private readonly hashOut = new Uint32Array(2);
  private readonly near?: NearDuplicateIndex;
  private readonly digest = new ContentDigest();
  private nearLines = new Int32Array(1024);
  private nearCount = 0;
  private shingle = false;
  private readonly normalized?: HashIndex;
  // per-record scratch, reused to keep the hot path allocation-free
  private cur: Problem[] = [];
  private promptTokens = 0;
  private responseTokens = 0;
  private rejectedTokens = 0;
  private textIssues: Issue[] = [];

  constructor(options: ScannerOptions = {}) {
    this.file = options.file ?? '';
    this.forced = options.format;
    this.maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.maxProblems = options.maxProblems ?? Infinity;
    this.onRecord = options.onRecord;
    const mode = options.nearDuplicates ?? 'normalized';
    if (mode === true || mode === 'minhash') this.near = new NearDuplicateIndex(options.nearDuplicateThreshold ?? DEFAULT_NEAR_DUPLICATE_THRESHOLD);
    else if (mode === 'normalized') this.normalized = new HashIndex(4096);
  }

  /** One JSONL line, without its line break (a trailing `\r` and line 1's BOM are dropped here). Blank lines are skipped. */
  push(lineText: string, lineNumber: number): void {
    if (lineText.charCodeAt(lineText.length - 1) === 13) lineText = lineText.slice(0, -1);
    if (lineNumber === 1 && lineText.charCodeAt(0) === 0xfeff) lineText = lineText.slice(1);
    let blank = true;
    for (let i = 0; i < lineText.length; i++) {
      if (!isSpace(lineText.charCodeAt(i))) { blank = false; break; }
    }
    if (blank) return;
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (e) {
      this.records++;
      this.jsonError(e as Error, lineText, (o) => ({ line: lineNumber, column: o + 1 }));
      this.flush();
      return;
    }
    this.pushValue(value, lineText, (o) => ({ line: lineNumber, column: o + 1 }));
  }

  /**
   * One record from elsewhere (an element of a `.json` array): its exact text, where its offsets fall in the file,
   * and its parsed value or the parse error.
   */
  pushElement(text: string, positionOf: PositionOf, parsed: { value: unknown } | { error: Error }): void {
    if ('error' in parsed) {
      this.records++;
      this.jsonError(parsed.error, text, positionOf);
      this.flush();
    } else this.pushValue(parsed.value, text, positionOf);
  }

  /** A problem outside any record (e.g. a `.json` file that is not an array). */
  addProblem(problem: Problem): void {
    this.cur.push(problem);
    this.flush();
  }

  finish(): ValidationResult {
    return {
      file: this.file,
      format: this.forced ?? this.fileFormat ?? 'unknown',
      records: this.records,
      problems: this.problems,
      errors: this.errors,
      warnings: this.warnings,
      ...(this.truncated ? { truncated: true } : {}),
    };
  }

  private pushValue(value: unknown, text: string, positionOf: PositionOf): void {
    this.records++;
    const line = positionOf(0).line;
    if (!isRecord(value)) {
      const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
      this.wholeRecord(text, positionOf, 'not-object', 'error', `expected a JSON object (a record), found ${actual === 'array' ? 'an array' : `a ${actual}`}`, { actual });
      this.flush();
      return;
    }
    const detected = detectFormat(value);
    let format: DatasetFormat | undefined;
    if (this.forced) {
      format = this.forced;
      if (detected && detected !== this.forced) {
        this.wholeRecord(text, positionOf, 'mixed-format', 'error', `this record is ${detected}, but the file is validated as ${this.forced}`, { format: detected, expected: this.forced });
        format = undefined;
      }
    } else if (detected) {
      if (!this.fileFormat) { this.fileFormat = detected; this.fileFormatLine = line; }
      format = detected;
      if (detected !== this.fileFormat) {
        this.wholeRecord(text, positionOf, 'mixed-format', 'error',
          `this record is ${detected}, but the file is ${this.fileFormat} (from line ${this.fileFormatLine})`,
          { format: detected, expected: this.fileFormat, firstLine: this.fileFormatLine });
        format = undefined;
      }
    } else {
      format = closestFormat(value, this.fileFormat);
      if (!format) {
        const keys = Object.keys(value);
        this.wholeRecord(text, positionOf, 'unknown-format', 'error',
          `record fits no known format (keys: ${keys.length ? keys.join(', ') : 'none'}); expected alpaca (instruction, output), chat (messages), prompt/completion, or preference (prompt, chosen, rejected)`,
          { keys });
      }
    }
    const issues = format ? checkRecord(value, format) : [];
    // duplicates are judged on content even when the record's format is not the file's
    const contentFormat = format ?? detected;
    this.promptTokens = this.responseTokens = this.rejectedTokens = 0;
    if (this.textIssues.length) this.textIssues = [];
    this.digest.reset();
    this.shingle = this.near !== undefined && contentFormat !== undefined;
    if (contentFormat) {
      visitForScan(value, contentFormat, this);
      if (format) for (const t of this.textIssues) issues.push(t);
    }
    if (issues.length) this.placeIssues(issues, text, positionOf);
    const response = Math.max(this.responseTokens, this.rejectedTokens);
    const tokens = this.promptTokens + response;
    if (format && tokens > this.maxTokens) {
      this.wholeRecord(text, positionOf, 'too-long', 'warning', `record is ${tokens} tokens (prompt ${this.promptTokens} + response ${response}), over the budget of ${this.maxTokens}`, { tokens, maxTokens: this.maxTokens });
    }
    if (contentFormat) this.checkDuplicates(text, positionOf, line);
    const recordProblems = this.cur.length ? this.cur.slice() : [];
    this.flush();
    this.onRecord?.({ line, value, format: detected, raw: text }, recordProblems);
  }

  private checkDuplicates(text: string, positionOf: PositionOf, line: number): void {
    this.digest.key(this.hashOut);
    const first = this.exact.getOrInsert(this.hashOut[0], this.hashOut[1], line);
    if (first >= 0) {
      this.wholeRecord(text, positionOf, 'duplicate', 'warning', `duplicate of line ${first} (same content)`, { firstLine: first });
      return;
    }
    if (this.normalized) {
      if (!this.digest.normalizedKey(this.hashOut)) return;
      const same = this.normalized.getOrInsert(this.hashOut[0], this.hashOut[1], line);
      if (same >= 0) {
        this.wholeRecord(text, positionOf, 'near-duplicate', 'warning', `near-duplicate of line ${same} (the same text once case, spacing and punctuation are ignored)`, { firstLine: same, similarity: 1 });
      }
      return;
    }
    if (!this.shingle || !this.digest.finishShingles()) return;
    const match = this.near!.add(this.digest);
    const id = this.nearCount++;
    if (id >= this.nearLines.length) {
      const grown = new Int32Array(this.nearLines.length * 2);
      grown.set(this.nearLines);
      this.nearLines = grown;
    }
    this.nearLines[id] = line;
    if (match) {
      const firstLine = this.nearLines[match.id];
      const pct = Math.round(match.similarity * 100);
      this.wholeRecord(text, positionOf, 'near-duplicate', 'warning', `near-duplicate of line ${firstLine} (~${pct}% similar after normalizing case, spacing and punctuation)`, { firstLine, similarity: match.similarity });
    }
  }

  /** @internal called by the content walk for each content string. */
  content(text: string, isResponse: boolean, field: string): void {
    const tokens = countTextTokens(text);
    const rejected = isResponse && field.charCodeAt(0) === 114 /* r */ && field.startsWith('rejected');
    if (!isResponse) this.promptTokens += tokens;
    else if (rejected) this.rejectedTokens += tokens;
    else this.responseTokens += tokens;
    const ctrl = this.digest.feed(text, isResponse ? 1 : 0, this.normalized !== undefined, this.shingle);
    const n = text.length;
    if (n > 0 && isSpace(text.charCodeAt(n - 1)) && text.trim() !== '') {
      this.textIssues.push({ code: 'trailing-whitespace', severity: 'warning', path: field, target: 'value',
        message: `"${field}" ends with whitespace`, data: { field } });
    }
    if (ctrl >= 0) {
      const codePoint = 'U+' + ctrl.toString(16).toUpperCase().padStart(4, '0');
      this.textIssues.push({ code: 'control-chars', severity: 'warning', path: field, target: 'value',
        message: `"${field}" contains the control character ${codePoint}`, data: { field, codePoint } });
    }
  }

  private placeIssues(issues: Issue[], text: string, positionOf: PositionOf): void {
    const located = locatePaths(text);
    for (const issue of issues) {
      const loc = located.get(issue.path);
      const span = loc && (issue.target === 'key' && loc.key ? loc.key : loc.value);
      const problem: Problem = { ...this.range(text, positionOf, span?.start, span?.end), severity: issue.severity, code: issue.code, message: issue.message };
      if (issue.path) problem.field = issue.path;
      if (issue.data) problem.data = issue.data;
      this.cur.push(problem);
    }
  }

  private wholeRecord(text: string, positionOf: PositionOf, code: ProblemCode, severity: Severity, message: string, data: Record<string, unknown>): void {
    this.cur.push({ ...this.range(text, positionOf), severity, code, message, data });
  }

  private jsonError(e: Error, text: string, positionOf: PositionOf): void {
    const m = /at position (\d+)/.exec(e.message);
    const position = m ? Number(m[1]) : undefined;
    const reason = e.message
      .replace(/\s*in JSON at position \d+.*$/, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'the record ends early (unclosed string, object or array?)');
    const message = `invalid JSON: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
    if (position === undefined || position >= text.length) {
      // no usable position: the whole record is the range
      this.cur.push({ ...this.range(text, positionOf), severity: 'error', code: 'json-parse', message, data: position === undefined ? {} : { position } });
      return;
    }
    const at = positionOf(position);
    this.cur.push({ line: at.line, column: at.column, endColumn: at.column + 1, severity: 'error', code: 'json-parse', message, data: { position } });
  }

  /** The range of [start, end) in the record, or of the record without surrounding whitespace. */
  private range(text: string, positionOf: PositionOf, start?: number, end?: number): { line: number; column: number; endColumn?: number } {
    if (start === undefined || end === undefined) {
      start = 0;
      end = text.length;
      while (start < end && isSpace(text.charCodeAt(start))) start++;
      while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    }
    const a = positionOf(start);
    const b = positionOf(end);
    return b.line === a.line ? { line: a.line, column: a.column, endColumn: b.column } : { line: a.line, column: a.column };
  }

  private flush(): void {
    if (this.cur.length === 0) return;
    if (this.cur.length > 1) this.cur.sort((a, b) => a.line - b.line || a.column - b.column);
    for (const p of this.cur) {
      if (p.severity === 'error') this.errors++;
      else if (p.severity === 'warning') this.warnings++;
      if (this.problems.length < this.maxProblems) this.problems.push(p);
      else this.truncated = true;
    }
    this.cur = [];
  }
}

/** The alpaca walk is written out because it is the common case of 100 MB files; other formats use the shared walk. */
function visitForScan(value: Record<string, unknown>, format: DatasetFormat, scanner: DatasetScanner): void {
  if (format === 'alpaca') {
    if (typeof value.instruction === 'string') scanner.content(value.instruction, false, 'instruction');
    if (typeof value.input === 'string') scanner.content(value.input, false, 'input');
    if (typeof value.output === 'string') scanner.content(value.output, true, 'output');
  } else visitContent(value, format, (text, isResponse, field) => scanner.content(text, isResponse, field));
}
