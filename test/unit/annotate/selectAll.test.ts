// Ctrl/Cmd+A inside an annotator text field must not reach VS Code's webview frame, which would echo a late
// selectAll back and swallow what is typed next; every other key still bubbles to the annotator's shortcuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepSelectAllInField } from '../../../webview/annotator/dom';

function stopped(init: Partial<KeyboardEvent>): boolean {
  let stop = false;
  keepSelectAllInField({ ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, key: '', ...init, stopPropagation: () => { stop = true; } } as KeyboardEvent);
  return stop;
}

test('Ctrl+A and Cmd+A stay in the field; plain a, Ctrl+Shift+A, Alt combos and Ctrl+Enter bubble', () => {
  assert.equal(stopped({ ctrlKey: true, key: 'a' }), true);
  assert.equal(stopped({ metaKey: true, key: 'a' }), true);
  assert.equal(stopped({ ctrlKey: true, key: 'A' }), true, 'with Caps Lock on');
  assert.equal(stopped({ key: 'a' }), false);
  assert.equal(stopped({ ctrlKey: true, shiftKey: true, key: 'A' }), false);
  assert.equal(stopped({ ctrlKey: true, altKey: true, key: 'a' }), false);
  assert.equal(stopped({ ctrlKey: true, key: 'Enter' }), false);
});
