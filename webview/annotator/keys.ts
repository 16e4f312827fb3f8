// The keyboard map, in one place so the help overlay and the handler cannot disagree.

export interface KeyHelp {
  keys: string;
  does: string;
}

export const KEY_HELP: readonly KeyHelp[] = [
  { keys: 'j / ↓', does: 'next record' },
  { keys: 'k / ↑', does: 'previous record' },
  { keys: 'Home / End, PgUp / PgDn', does: 'first / last, page up / down' },
  { keys: 'a', does: 'accept (again: clear)' },
  { keys: 'r', does: 'reject (again: clear)' },
  { keys: '1 – 5', does: 'rate (same number again: clear); 0 clears' },
  { keys: 'n', does: 'write a note' },
  { keys: 'e', does: 'edit the focused field (first field when none); Ctrl+Enter saves, Esc cancels' },
  { keys: 's', does: 'swap chosen and rejected (preference)' },
  { keys: 't / b', does: 'mark tie / both bad (preference)' },
  { keys: 'Alt+↑ / Alt+↓', does: 'move the focused response up / down (ranking); or drag it' },
  { keys: 'u / Shift+U', does: 'undo / redo (the document\'s own undo)' },
  { keys: 'o', does: 'show the record in the text editor beside' },
  { keys: 'g', does: 'generate a preference pair from the model (when a checkpoint is ready)' },
  { keys: '/', does: 'search (filters: status, problem, task beside it)' },
  { keys: '?', does: 'this help; Esc closes' },
];
