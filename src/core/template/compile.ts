// Compiling a Jinja template the way `apply_chat_template` runs it (trim_blocks, lstrip_blocks, raise_exception),
// with TRL's `{% generation %}` blocks turned into sentinel output and every engine error placed at a line and column.
import { Template, parse, tokenize } from '@huggingface/jinja';
import { TemplateError } from './errors';
import { GENERATION_END, GENERATION_START, hasSentinel } from './sentinels';
import { lineColumn, openBlocks, scanTags, unclosedBlock, type Tag } from './tags';

/** What a template renders: a conversation (`messages`), an instruction record, or a prompt/completion pair. */
export type TemplateKind = 'chat' | 'instruction' | 'completion';

export interface CompiledTemplate {
  readonly name: string;
  readonly source: string;
  readonly kind: TemplateKind;
  /** The template marks its trained spans with `{% generation %}…{% endgeneration %}`. */
  readonly hasGeneration: boolean;
  /** Renders with the variables given; generation blocks appear as sentinels. Throws TemplateError. */
  render(variables: Record<string, unknown>): string;
}

const GENERATION_TAG = /\{%(-?)\s*(end)?generation\s*(-?)%\}/g;

/** The message `raise_exception` was called with, so it can be told apart from engine failures. */
export class RaisedException extends Error {}

export function compileTemplate(source: string, name = 'template'): CompiledTemplate {
  if (hasSentinel(source)) {
    const at = lineColumn(source, source.search(/[\uFDD0-\uFDD3]/));
    throw new TemplateError('contains a Unicode noncharacter (U+FDD0–U+FDD3) that the renderer reserves', at.line, at.column, name);
  }
  const prepared = convertGenerationTags(source);
  let template: Template;
  let identifiers: Set<string>;
  try {
    const tokens = redirectRaise(tokenize(prepared, { lstrip_blocks: true, trim_blocks: true }));
    identifiers = new Set(tokens.filter((t) => t.type === 'Identifier').map((t) => t.value));
    template = new Template('');
    template.parsed = parseLocated(tokens, source, name);
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw lexerError(e, source, prepared, name);
  }
  const kind: TemplateKind = identifiers.has('messages')
    ? 'chat'
    : ['instruction', 'input', 'output'].some((v) => identifiers.has(v))
      ? 'instruction'
      : ['prompt', 'completion'].some((v) => identifiers.has(v)) ? 'completion' : 'chat';
  return {
    name,
    source,
    kind,
    hasGeneration: prepared !== source,
    render(variables) {
      try {
        return template.render(withRaise(variables));
      } catch (e) {
        throw runtimeError(e, source, prepared, name, variables);
      }
    },
  };
}

// The engine's own raise_exception throws a bare Error that cannot be told from an engine failure, and globals
// cannot be redefined; so the template's calls are pointed at a function of ours instead.
const RAISE = '__instruct_studio_raise';

function redirectRaise<T extends Array<{ type: string; value: string }>>(tokens: T): T {
  for (const t of tokens) if (t.type === 'Identifier' && t.value === 'raise_exception') t.value = RAISE;
  return tokens;
}

function withRaise(variables: Record<string, unknown>): Record<string, unknown> {
  return {
    ...variables,
    [RAISE]: (message: unknown) => { throw new RaisedException(String(message)); },
  };
}

/**
 * Replaces generation tags by expressions that print a sentinel, applying first what Jinja would have done to the
 * whitespace around a block tag (`{%-`/`-%}`, lstrip_blocks, trim_blocks), since an expression tag gets none of it.
 * The tag count is unchanged, so the n-th tag of the result is the n-th tag of the source.
 */
export function convertGenerationTags(source: string): string {
  let out = '';
  let last = 0;
  GENERATION_TAG.lastIndex = 0;
  for (let m = GENERATION_TAG.exec(source); m; m = GENERATION_TAG.exec(source)) {
    let before = source.slice(last, m.index);
    if (m[1]) before = before.replace(/\s+$/, '');
    else before = before.replace(/(^|\n)[ \t]*$/, '$1');
    out += before + `{{ '${m[2] ? GENERATION_END : GENERATION_START}' }}`;
    last = m.index + m[0].length;
    const rest = source.slice(last);
    const skip = m[3] ? /^\s*/.exec(rest)![0].length : rest.startsWith('\n') ? 1 : 0;
    last += skip;
    GENERATION_TAG.lastIndex = last;
  }
  return out + source.slice(last);
}

function at(source: string, tag: Tag | undefined, name: string, reason: string, offset?: number): TemplateError {
  const pos = lineColumn(source, offset ?? tag?.start ?? 0);
  return new TemplateError(reason, pos.line, pos.column, name);
}

const TOKEN_NAMES: Record<string, string> = {
  OpenStatement: "'{%'", CloseStatement: "'%}'", OpenExpression: "'{{'", CloseExpression: "'}}'",
  OpenParen: "'('", CloseParen: "')'", OpenSquareBracket: "'['", CloseSquareBracket: "']'",
  OpenCurlyBracket: "'{'", CloseCurlyBracket: "'}'", Comma: "','", Dot: "'.'", Colon: "':'", Pipe: "'|'",
  Equals: "'='", Identifier: 'a name', StringLiteral: 'a string', NumericLiteral: 'a number', Text: 'text',
};

/** The engine's messages name its token types (`CloseExpression`); users know them as `}}`. */
function cleanMessage(e: unknown): string {
  // A TypeError from inside the parser means it ran off the end of the tokens.
  if (e instanceof TypeError) return 'unexpected end of template';
  const msg = e instanceof Error ? e.message : String(e);
  return msg
    .replace(/^Parser Error: /, '')
    .replace(/, got \$\{[^}]*\} instead\./, '') // an unformatted template string in the engine
    .replace(/\. (\w+) !== (\w+)\.$/, (_, got: string, want: string) => `: expected ${TOKEN_NAMES[want] ?? want}, found ${TOKEN_NAMES[got] ?? got}`)
    .replace(/\b(Open|Close)(Statement|Expression|Paren|SquareBracket|CurlyBracket)\b/g, (m) => TOKEN_NAMES[m] ?? m);
}

/** Parses while watching which token the parser got to; the furthest one read is where it gave up. */
function parseLocated(tokens: ReturnType<typeof tokenize>, source: string, name: string) {
  let furthest = -1;
  const watched = new Proxy(tokens, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) furthest = Math.max(furthest, Number(prop));
      return Reflect.get(target, prop, receiver);
    },
  });
  try {
    return parse(watched);
  } catch (e) {
    const reason = cleanMessage(e);
    const sourceTags = scanTags(source);
    // Running off the end of the template almost always means a block left open: point at its opening tag.
    const open = unclosedBlock(source, sourceTags);
    if (open && (furthest >= tokens.length || e instanceof TypeError)) {
      throw at(source, open, name, `{% ${open.keyword} %} is never closed`);
    }
    const index = Math.max(0, Math.min(furthest, tokens.length - 1));
    let tagIndex = -1;
    for (let i = 0; i <= index; i++) {
      const t = tokens[i].type;
      if (t === 'OpenStatement' || t === 'OpenExpression' || t === 'Comment') tagIndex++;
    }
    const tag = sourceTags[Math.max(0, tagIndex)];
    if (!tag) throw at(source, undefined, name, reason);
    if (tag.keyword?.startsWith('end') && /^Unknown statement type/.test(reason)) {
      const inner = openBlocks(source, sourceTags, Math.max(0, tagIndex)).at(-1);
      const where = inner && lineColumn(source, inner.start);
      throw at(source, tag, name, inner
        ? `unexpected {% ${tag.keyword} %}: {% ${inner.keyword} %} at ${where!.line}:${where!.column} is still open`
        : `{% ${tag.keyword} %} without a matching {% ${tag.keyword.slice(3)} %}`);
    }
    // Point at the offending token inside the tag when its text can be found there.
    const token = tokens[index];
    const inner = source.slice(tag.start, tag.end);
    const within = token && token.type !== 'OpenStatement' && token.type !== 'OpenExpression' ? inner.indexOf(token.value, 2) : -1;
    throw at(source, tag, name, reason, within > 0 ? tag.start + within : tag.start);
  }
}

/** A lexer failure lies in the first tag whose prefix no longer tokenizes. */
function lexerError(e: unknown, source: string, prepared: string, name: string): TemplateError {
  const reason = cleanMessage(e);
  const preparedTags = scanTags(prepared);
  const sourceTags = scanTags(source);
  let lo = 0;
  let hi = preparedTags.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    let fails = false;
    try { tokenize(prepared.slice(0, preparedTags[mid].end), { lstrip_blocks: true, trim_blocks: true }); } catch { fails = true; }
    if (fails) { found = mid; hi = mid - 1; } else lo = mid + 1;
  }
  return at(source, sourceTags[found] ?? sourceTags.at(-1), name, reason);
}

/**
 * Runtime failures carry no position either. Re-render once with a probe before every tag that records the last
 * tag reached; the failure happened in that tag (or, for an `elif` condition, in the branch test just before it).
 */
function runtimeError(e: unknown, source: string, prepared: string, name: string, variables: Record<string, unknown>): TemplateError {
  const raised = e instanceof RaisedException;
  const reason = raised ? `raise_exception: ${e.message}` : cleanMessage(e);
  const sourceTags = scanTags(source);
  if (raised) {
    const literal = sourceTags.find((t) => {
      const inner = source.slice(t.start, t.end);
      return inner.includes('raise_exception') && (inner.includes(`'${e.message}'`) || inner.includes(`"${e.message}"`));
    });
    if (literal) return at(source, literal, name, reason);
  }
  const stripped = prepared
    .replace(/^[ \t]*({[#%-])/gm, '$1')
    .replace(/([#%-]})\n/g, '$1');
  const tags = scanTags(stripped);
  let probed = '';
  let last = 0;
  tags.forEach((t, k) => {
    probed += stripped.slice(last, t.start);
    if (t.kind !== 'comment') probed += t.trimBefore ? `{{- __probe(${k}) }}` : `{{ __probe(${k}) }}`;
    // An elif test runs without passing the probe before its tag, so it gets one inside its condition.
    const elif = /^(\{%-?\s*elif\s)([\s\S]*?)(\s*-?%\})$/.exec(stripped.slice(t.start, t.end));
    if (elif) { probed += `${elif[1]}(__probe(${k}) == '') and (${elif[2]})${elif[3]}`; last = t.end; return; }
    last = t.start;
  });
  probed += stripped.slice(last);
  let reached = -1;
  try {
    const t = new Template('');
    t.parsed = parse(redirectRaise(tokenize(probed, {})));
    t.render({ ...withRaise(variables), __probe: (k: number) => { reached = k; return ''; } });
  } catch {
    // expected: the same failure, now with `reached` set
  }
  return at(source, sourceTags[reached] ?? sourceTags[0], name, reason);
}
