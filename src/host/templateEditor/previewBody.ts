// The core's preview result cut down to what the webview draws: token texts with their trained/special flags,
// the warnings, or the error with its place. Bounded so a huge record cannot make a huge message.
import type { PreviewResult } from '../../core/template/index';
import { MAX_PREVIEW_TOKENS, type PreviewBody } from '../../shared/protocol/templateEditor';

export function previewBody(result: PreviewResult): PreviewBody {
  if (!result.ok) {
    if (result.stage === 'template') {
      return { ok: false, stage: 'template', message: result.message, line: result.line, column: result.column, ...(result.field ? { field: result.field } : {}) };
    }
    return { ok: false, stage: 'record', message: result.message, ...(result.field ? { field: result.field } : {}) };
  }
  const tokens = result.tokens ?? [];
  return {
    ok: true,
    kind: result.kind,
    tokens: tokens.slice(0, MAX_PREVIEW_TOKENS).map((t) => ({ text: t.text, trained: t.trained, special: t.special })),
    tokenCount: tokens.length,
    trainedTokens: result.trainedTokens ?? 0,
    tokensCut: tokens.length > MAX_PREVIEW_TOKENS,
    warnings: result.warnings.slice(0, 200).map((w) => ({ code: w.code, message: w.message, ...(w.field ? { field: w.field } : {}) })),
  };
}

/**
 * Names a template can reach in this record, for completion: its top-level keys, and the keys of the objects
 * inside its lists (a chat's `role`, `content`, `tool_calls`), as a `for` loop variable would show them.
 */
export function recordFields(record: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const [key, value] of Object.entries(record)) {
    names.add(key);
    if (!Array.isArray(value)) continue;
    for (const item of value.slice(0, 50)) {
      if (item && typeof item === 'object' && !Array.isArray(item)) for (const k of Object.keys(item)) names.add(k);
    }
  }
  return [...names].filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)).slice(0, 500);
}
