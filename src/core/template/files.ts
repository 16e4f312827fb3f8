// Templates where users keep them: `tokenizer_config.json` (`chat_template` as a string or as a list of named
// templates), `chat_template.jinja`, any `*.jinja`. Pure text in, text out: the caller does the file I/O (the
// extension through the workspace file system, the CLI through node:fs). Writing changes only the template value.
import { applyEdits, modify, parseTree, findNodeAtLocation, printParseErrorCode, type ParseError, type Node } from 'jsonc-parser';
import { TemplateError } from './errors';
import { isPresetName, type PresetName } from './presets/index';
import type { RendererSpec } from './renderer';
import { lineColumn } from './tags';

export interface NamedTemplate {
  /** `default` for a plain `chat_template` string or a `.jinja` file. */
  name: string;
  source: string;
}

export interface TemplateFile {
  kind: 'tokenizer-config' | 'jinja';
  file: string;
  templates: NamedTemplate[];
  /** The model's special tokens from tokenizer_config.json, when it names them. */
  bosToken?: string;
  eosToken?: string;
}

/** `*.json` is read as a tokenizer config, anything else as a Jinja source. */
export function parseTemplateFile(file: string, text: string): TemplateFile {
  if (!/\.json$/i.test(file)) return { kind: 'jinja', file, templates: [{ name: 'default', source: text }] };
  const root = parseJson(file, text);
  const node = findNodeAtLocation(root, ['chat_template']);
  if (!node) throw fileError(file, text, root.offset, 'has no "chat_template"');
  const value = nodeValue(node);
  let templates: NamedTemplate[];
  if (typeof value === 'string') templates = [{ name: 'default', source: value }];
  else if (Array.isArray(value)) {
    templates = value.map((entry, i) => {
      const e = entry as { name?: unknown; template?: unknown };
      if (!e || typeof e.name !== 'string' || typeof e.template !== 'string') {
        throw fileError(file, text, node.children![i].offset, `chat_template[${i}] must be an object with string "name" and "template"`);
      }
      return { name: e.name, source: e.template };
    });
  } else throw fileError(file, text, node.offset, '"chat_template" must be a string or a list of {"name", "template"}');
  return { kind: 'tokenizer-config', file, templates, bosToken: tokenText(root, 'bos_token'), eosToken: tokenText(root, 'eos_token') };
}

/** The named template, or the `default` one (the first when none is called that), as apply_chat_template picks. */
export function selectTemplate(file: TemplateFile, name?: string): NamedTemplate {
  const t = name !== undefined ? file.templates.find((x) => x.name === name) : file.templates.find((x) => x.name === 'default') ?? file.templates[0];
  if (!t) {
    throw new TemplateError(`no chat template named "${name}" (there are: ${file.templates.map((x) => x.name).join(', ')})`, 1, 1, file.file);
  }
  return t;
}

/**
 * The file's text with one template replaced (or added), everything else byte for byte as it was: the edit
 * touches only the JSON string value, re-serialised as JSON writes it, with the file's own indentation for
 * anything new.
 */
export function updateTemplateFile(file: string, text: string, source: string, name = 'default'): string {
  if (!/\.json$/i.test(file)) return source;
  const root = parseJson(file, text);
  const node = findNodeAtLocation(root, ['chat_template']);
  let path: Array<string | number> = ['chat_template'];
  let value: unknown = source;
  if (node?.type === 'array') {
    const index = (nodeValue(node) as Array<{ name?: unknown }>).findIndex((e) => e && e.name === name);
    path = index >= 0 ? ['chat_template', index, 'template'] : ['chat_template', -1];
    if (index < 0) value = { name, template: source };
  } else if (name !== 'default' && node) {
    // a single template becomes the list form so both survive
    value = [{ name: 'default', template: nodeValue(node) }, { name, template: source }];
  }
  const edits = modify(text, path, value, { formattingOptions: detectFormatting(text), isArrayInsertion: path.at(-1) === -1 });
  return applyEdits(text, edits);
}

/**
 * What a renderer needs from a template file: the source, a name that places errors (`tokenizer_config.json
 * [chat_template:tool_use]:3:5` for a template inside JSON, whose lines are the template's own) and the model's
 * special tokens when the file names them.
 */
export function rendererSpecOf(file: TemplateFile, name?: string): RendererSpec {
  const t = selectTemplate(file, name);
  const templateName = file.kind === 'jinja' ? file.file : `${file.file}[chat_template${t.name === 'default' ? '' : `:${t.name}`}]`;
  return { template: t.source, templateName, bosToken: file.bosToken, eosToken: file.eosToken };
}

/** A template reference as a run config or the CLI writes it: a preset name, or a path with an optional `#name`. */
export type TemplateRef = { preset: PresetName } | { path: string; name?: string };

export function parseTemplateRef(ref: string): TemplateRef {
  if (isPresetName(ref)) return { preset: ref };
  const hash = ref.lastIndexOf('#');
  if (hash > 0 && /\.json$/i.test(ref.slice(0, hash))) return { path: ref.slice(0, hash), name: ref.slice(hash + 1) };
  return { path: ref };
}

function parseJson(file: string, text: string): Node {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length || !root) {
    const e = errors[0];
    throw fileError(file, text, e?.offset ?? 0, `invalid JSON (${e ? printParseErrorCode(e.error) : 'empty file'})`);
  }
  if (root.type !== 'object') throw fileError(file, text, root.offset, 'expected a JSON object');
  return root;
}

function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': return Object.fromEntries((node.children ?? []).map((p) => [p.children![0].value as string, nodeValue(p.children![1])]));
    case 'array': return (node.children ?? []).map(nodeValue);
    default: return node.value;
  }
}

/** `"eos_token": "</s>"` or the AddedToken form `{"content": "</s>", …}`. */
function tokenText(root: Node, key: string): string | undefined {
  const node = findNodeAtLocation(root, [key]);
  if (!node) return undefined;
  const v = nodeValue(node);
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

function detectFormatting(text: string) {
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function fileError(file: string, text: string, offset: number, reason: string): TemplateError {
  const { line, column } = lineColumn(text, offset);
  return new TemplateError(reason, line, column, file);
}
