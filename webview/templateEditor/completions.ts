// Completion of template variables (the core's list for the template's kind) and the current record's fields,
// as whole `{{ name }}` in text and as names inside {{ }} / {% %}.
import type { CompletionVariable } from '../../src/shared/protocol/templateEditor';
import { completionPlace } from './completionContext';
import { JINJA_KEYWORDS, JINJA_LANGUAGE_ID } from './jinjaLanguage';
import { monaco } from './monacoEditor';

export interface CompletionData {
  variables: CompletionVariable[];
  recordFields: string[];
}

export function registerCompletions(data: () => CompletionData): monaco.IDisposable {
  return monaco.languages.registerCompletionItemProvider(JINJA_LANGUAGE_ID, {
    triggerCharacters: ['.', '{', ' '],
    provideCompletionItems(model, position) {
      const before = model.getValueInRange({ startLineNumber: 1, startColumn: 1, endLineNumber: position.lineNumber, endColumn: position.column });
      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const place = completionPlace(before);
      const { variables, recordFields } = data();
      const K = monaco.languages.CompletionItemKind;
      const suggestions: monaco.languages.CompletionItem[] = [];
      if (place.in === 'text') {
        if (/\{$/.test(before)) return { suggestions };
        for (const v of variables) {
          suggestions.push({ label: `{{ ${v.name} }}`, kind: K.Variable, detail: v.detail, insertText: `{{ ${v.name} }}`, range, filterText: v.name });
        }
        suggestions.push({
          label: '{% generation %}…{% endgeneration %}',
          kind: K.Snippet,
          detail: 'mark the trained span (as TRL does)',
          insertText: '{% generation %}$0{% endgeneration %}',
          insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet,
          filterText: 'generation',
          range,
        });
        return { suggestions };
      }
      if (place.member) {
        for (const f of recordFields) suggestions.push({ label: f, kind: K.Field, detail: 'field of the current record', insertText: f, range });
        return { suggestions };
      }
      for (const v of variables) suggestions.push({ label: v.name, kind: K.Variable, detail: v.detail, insertText: v.name, range, sortText: `0${v.name}` });
      for (const f of recordFields) {
        if (!variables.some((v) => v.name === f)) suggestions.push({ label: f, kind: K.Field, detail: 'field of the current record', insertText: f, range, sortText: `1${f}` });
      }
      for (const k of JINJA_KEYWORDS) suggestions.push({ label: k, kind: K.Keyword, insertText: k, range, sortText: `2${k}` });
      return { suggestions };
    },
  });
}
