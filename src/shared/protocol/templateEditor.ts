// The prompt-template editor's messages, both directions, validated on receipt on both sides. The document is
// the truth: the webview sends the template text it holds, the host answers with renderings of real records.
import { arrayOf, bool, index, int, isObj, maxLen, nullable, oneOf, optional, shape, str, validateMessage, type Check } from './check';

/** Templates are small; anything bigger than this is refused rather than rendered per keystroke. */
export const MAX_TEMPLATE_CHARS = 1_000_000;
/** Tokens sent for one preview; a longer rendering is cut and says so (`tokensCut`). */
export const MAX_PREVIEW_TOKENS = 20_000;
const MAX_WARNINGS = 200;
const MAX_NAMES = 500;

export type TemplateSourceKind = 'jinja' | 'tokenizer-config' | 'untitled';

export interface TemplateInfo {
  /** The document's URI as a string (what a reload reopens). */
  uri: string;
  /** Short name for the header, e.g. `chat_template.jinja`. */
  label: string;
  kind: TemplateSourceKind;
}

export interface DatasetInfo {
  uri: string;
  label: string;
  /** Records in the file (JSON objects). */
  count: number;
}

export interface PresetInfo {
  name: string;
  description: string;
}

/** One token of the rendering: its text share, whether the loss is taken on it, whether it is a special token. */
export interface PreviewToken {
  text: string;
  trained: boolean;
  special: boolean;
}

export interface PreviewWarning {
  code: string;
  message: string;
  field?: string;
}

export type PreviewBody =
  | {
      ok: true;
      kind: string;
      tokens: PreviewToken[];
      tokenCount: number;
      trainedTokens: number;
      /** More tokens than MAX_PREVIEW_TOKENS: only the first ones were sent. */
      tokensCut: boolean;
      warnings: PreviewWarning[];
    }
  | { ok: false; stage: 'template'; message: string; line: number; column: number; field?: string }
  | { ok: false; stage: 'record'; message: string; field?: string }
  /** Nothing to render on: no dataset chosen, or one with no records. */
  | { ok: false; stage: 'no-record'; message: string };

export interface CompletionVariable {
  name: string;
  detail: string;
}

export type HostToEditor =
  | { type: 'init'; template: TemplateInfo; source: string; presets: PresetInfo[]; readOnly: boolean }
  /** The document changed outside the webview (text editor, undo there, a file on disk): replace Monaco's text. */
  | { type: 'source'; source: string }
  | { type: 'dirty'; dirty: boolean }
  /** The file cannot be read as a template (a broken tokenizer_config.json): shown, and editing waits for a fix. */
  | { type: 'fileError'; message: string | null }
  | { type: 'dataset'; dataset: DatasetInfo | null }
  | {
      type: 'preview';
      /** The template text this preview rendered: stale previews are dropped by the webview. */
      source: string;
      recordIndex: number;
      /** 1-based line of the record in its dataset. */
      recordLine: number;
      body: PreviewBody;
      /** Template variables for the template's kind, and field names of the current record, for completion. */
      variables: CompletionVariable[];
      recordFields: string[];
    };

export type EditorToHost =
  | { type: 'ready' }
  /** Monaco's whole text after an edit; the host turns it into the smallest WorkspaceEdit. */
  | { type: 'edit'; source: string }
  | { type: 'selectRecord'; index: number }
  | { type: 'chooseDataset' }
  | { type: 'chooseTemplate' }
  | { type: 'applyPreset'; name: string }
  | { type: 'save' }
  /** Something the page was refused (a CSP violation) or could not start (Monaco's worker): logged by the host. */
  | { type: 'problem'; message: string };

const templateInfo = shape({ uri: maxLen(8192), label: maxLen(1024), kind: oneOf('jinja', 'tokenizer-config', 'untitled') });
const datasetInfo = shape({ uri: maxLen(8192), label: maxLen(1024), count: index });
const presetInfo = shape({ name: maxLen(100), description: maxLen(2000) });
const token = shape({ text: str, trained: bool, special: bool });
const warning = shape({ code: maxLen(100), message: maxLen(4000), field: optional(maxLen(1000)) });
const variable = shape({ name: maxLen(200), detail: maxLen(2000) });
const source = maxLen(MAX_TEMPLATE_CHARS);

const previewBody: Check = (v) => {
  if (!isObj(v)) return false;
  if (v.ok === true) {
    return shape({
      kind: maxLen(40), tokens: arrayOf(token, MAX_PREVIEW_TOKENS), tokenCount: index, trainedTokens: index, tokensCut: bool,
      warnings: arrayOf(warning, MAX_WARNINGS),
    })(v);
  }
  if (v.ok !== false) return false;
  switch (v.stage) {
    case 'template': return shape({ message: str, line: int, column: int, field: optional(str) })(v);
    case 'record': return shape({ message: str, field: optional(str) })(v);
    case 'no-record': return shape({ message: str })(v);
    default: return false;
  }
};

const toEditor: { [K in HostToEditor['type']]: Check } = {
  init: shape({ template: templateInfo, source, presets: arrayOf(presetInfo, MAX_NAMES), readOnly: bool }),
  source: shape({ source }),
  dirty: shape({ dirty: bool }),
  fileError: shape({ message: nullable(maxLen(4000)) }),
  dataset: shape({ dataset: nullable(datasetInfo) }),
  preview: shape({
    source, recordIndex: index, recordLine: index, body: previewBody,
    variables: arrayOf(variable, MAX_NAMES), recordFields: arrayOf(maxLen(200), MAX_NAMES),
  }),
};

const toHost: { [K in EditorToHost['type']]: Check } = {
  ready: () => true,
  edit: shape({ source }),
  selectRecord: shape({ index }),
  chooseDataset: () => true,
  chooseTemplate: () => true,
  applyPreset: shape({ name: maxLen(100) }),
  save: () => true,
  problem: shape({ message: maxLen(4000) }),
};

export const validateHostToEditor = (v: unknown) => validateMessage<HostToEditor>(toEditor, v);
export const validateEditorToHost = (v: unknown) => validateMessage<EditorToHost>(toHost, v);

/** What the webview keeps in getState/setState, and the serializer reads back after a window reload. */
export interface TemplateEditorState {
  templateUri: string;
  datasetUri?: string;
  recordIndex: number;
}

export function isTemplateEditorState(v: unknown): v is TemplateEditorState {
  return shape({ templateUri: maxLen(8192), datasetUri: optional(maxLen(8192)), recordIndex: index })(v);
}
