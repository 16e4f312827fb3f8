import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isTemplateEditorState,
  MAX_PREVIEW_TOKENS,
  validateEditorToHost,
  validateHostToEditor,
  type HostToEditor,
} from '../../../src/shared/protocol/templateEditor';

const preview: HostToEditor = {
  type: 'preview',
  source: '{{ messages }}',
  recordIndex: 2,
  recordLine: 3,
  body: {
    ok: true, kind: 'chat', tokenCount: 2, trainedTokens: 1, tokensCut: false,
    tokens: [{ text: 'a', trained: false, special: false }, { text: '<|eos|>', trained: true, special: true }],
    warnings: [{ code: 'no-eos', message: 'no EOS', field: 'messages[1].content' }],
  },
  variables: [{ name: 'messages', detail: 'the conversation' }],
  recordFields: ['messages', 'role', 'content'],
};

test('host → editor: every message type passes as sent', () => {
  const messages: HostToEditor[] = [
    { type: 'init', template: { uri: 'file:///w/t.jinja', label: 't.jinja', kind: 'jinja' }, source: 'x', presets: [{ name: 'chatml', description: 'ChatML' }], readOnly: false },
    { type: 'source', source: '' },
    { type: 'dirty', dirty: true },
    { type: 'fileError', message: null },
    { type: 'fileError', message: 'tokenizer_config.json:1:1: invalid JSON' },
    { type: 'dataset', dataset: null },
    { type: 'dataset', dataset: { uri: 'file:///w/d.jsonl', label: 'd.jsonl', count: 4 } },
    preview,
    { ...preview, body: { ok: false, stage: 'template', message: 'unexpected end', line: 3, column: 7 } },
    { ...preview, body: { ok: false, stage: 'record', message: 'missing', field: 'output' } },
    { ...preview, body: { ok: false, stage: 'no-record', message: 'Choose a dataset' } },
  ];
  for (const m of messages) {
    const r = validateHostToEditor(m);
    assert.ok(r.ok, `${m.type}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.message, m);
  }
});

test('host → editor: malformed messages are refused with the type named', () => {
  const bad: unknown[] = [
    { ...preview, recordIndex: -1 },
    { ...preview, body: { ...preview.body, tokens: [{ text: 'a', trained: 'yes', special: false }] } },
    { ...preview, body: { ok: false, stage: 'template', message: 'm', line: 1.5, column: 1 } },
    { ...preview, body: { ok: false, stage: 'elsewhere', message: 'm' } },
    { ...preview, body: { ...preview.body, tokens: new Array(MAX_PREVIEW_TOKENS + 1).fill({ text: 'a', trained: false, special: false }) } },
    { type: 'init', template: { uri: 'u', label: 'l', kind: 'yaml' }, source: '', presets: [], readOnly: false },
    { type: 'dirty', dirty: 'no' },
    { type: 'source' },
  ];
  for (const m of bad) {
    const r = validateHostToEditor(m);
    assert.equal(r.ok, false, JSON.stringify(m).slice(0, 120));
    if (!r.ok) assert.match(r.reason, /malformed "\w+" message/);
  }
  assert.deepEqual(validateHostToEditor({ type: 'eval', code: '1' }), { ok: false, reason: 'unknown message type "eval"' });
  assert.equal(validateHostToEditor('init').ok, false);
});

test('editor → host: the webview can ask only for what the panel does', () => {
  for (const m of [
    { type: 'ready' }, { type: 'edit', source: '{{ x }}' }, { type: 'selectRecord', index: 0 }, { type: 'chooseDataset' },
    { type: 'chooseTemplate' }, { type: 'applyPreset', name: 'chatml' }, { type: 'save' }, { type: 'problem', message: 'worker-src refused blob:' },
  ]) assert.ok(validateEditorToHost(m).ok, m.type);
  for (const m of [
    { type: 'edit' }, { type: 'edit', source: 3 }, { type: 'edit', source: 'x'.repeat(1_000_001) },
    { type: 'selectRecord', index: -1 }, { type: 'selectRecord', index: 0.5 }, { type: 'applyPreset' }, { type: 'writeFile', path: '/etc/passwd' },
  ]) assert.equal(validateEditorToHost(m).ok, false, JSON.stringify(m).slice(0, 80));
});

test('restored state: template URI required, record index a whole number', () => {
  assert.ok(isTemplateEditorState({ templateUri: 'file:///t.jinja', recordIndex: 0 }));
  assert.ok(isTemplateEditorState({ templateUri: 'file:///t.jinja', datasetUri: 'file:///d.jsonl', recordIndex: 7 }));
  assert.equal(isTemplateEditorState({ datasetUri: 'file:///d.jsonl', recordIndex: 0 }), false);
  assert.equal(isTemplateEditorState({ templateUri: 'file:///t.jinja', recordIndex: -2 }), false);
  assert.equal(isTemplateEditorState(null), false);
});
