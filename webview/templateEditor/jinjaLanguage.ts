// Jinja over plain text for Monaco: a Monarch tokenizer (text, {{ expressions }}, {% statements %}, {# comments #},
// whitespace-control dashes) and the bracket/comment configuration that goes with it.
import type * as monaco from 'monaco-editor/editor/editor.api.js';

export const JINJA_LANGUAGE_ID = 'jinja';

export const JINJA_KEYWORDS = [
  'if', 'elif', 'else', 'endif', 'for', 'in', 'endfor', 'set', 'endset', 'macro', 'endmacro', 'call', 'endcall',
  'filter', 'endfilter', 'generation', 'endgeneration', 'not', 'and', 'or', 'is', 'recursive', 'break', 'continue',
  'raw', 'endraw', 'with', 'endwith',
];

const CONSTANTS = ['true', 'false', 'none', 'True', 'False', 'None'];

export const jinjaMonarch: monaco.languages.IMonarchLanguage = {
  defaultToken: '',
  keywords: JINJA_KEYWORDS,
  constants: CONSTANTS,
  tokenizer: {
    root: [
      [/\{#-?/, { token: 'comment', next: '@comment' }],
      [/\{\{-?/, { token: 'delimiter.jinja', next: '@expression' }],
      [/\{%-?/, { token: 'delimiter.jinja', next: '@statement' }],
      [/[^{]+/, ''],
      [/\{/, ''],
    ],
    comment: [
      [/-?#\}/, { token: 'comment', next: '@pop' }],
      [/[^#-]+/, 'comment'],
      [/[#-]/, 'comment'],
    ],
    expression: [
      [/-?\}\}/, { token: 'delimiter.jinja', next: '@pop' }],
      { include: '@code' },
    ],
    statement: [
      [/-?%\}/, { token: 'delimiter.jinja', next: '@pop' }],
      { include: '@code' },
    ],
    code: [
      [/\s+/, ''],
      [/"/, { token: 'string', next: '@stringDouble' }],
      [/'/, { token: 'string', next: '@stringSingle' }],
      [/\d+(\.\d+)?/, 'number'],
      [/\|\s*[A-Za-z_]\w*/, 'predefined'],
      [/[A-Za-z_]\w*/, { cases: { '@keywords': 'keyword', '@constants': 'constant', '@default': 'variable' } }],
      [/[[\](),.:]/, 'delimiter'],
      [/[=!<>+\-*/%~]+/, 'operator'],
      [/./, ''],
    ],
    stringDouble: [
      [/[^\\"]+/, 'string'],
      [/\\./, 'string.escape'],
      [/"/, { token: 'string', next: '@pop' }],
    ],
    stringSingle: [
      [/[^\\']+/, 'string'],
      [/\\./, 'string.escape'],
      [/'/, { token: 'string', next: '@pop' }],
    ],
  },
};

export const jinjaConfiguration: monaco.languages.LanguageConfiguration = {
  comments: { blockComment: ['{#', '#}'] },
  brackets: [['{%', '%}'], ['{{', '}}'], ['(', ')'], ['[', ']']],
  autoClosingPairs: [
    { open: '{%', close: ' %}' },
    { open: '{{', close: ' }}' },
    { open: '{#', close: ' #}' },
    { open: '(', close: ')' },
    { open: '[', close: ']' },
    { open: '"', close: '"', notIn: ['string'] },
    { open: "'", close: "'", notIn: ['string'] },
  ],
  surroundingPairs: [{ open: '"', close: '"' }, { open: "'", close: "'" }, { open: '(', close: ')' }],
};
