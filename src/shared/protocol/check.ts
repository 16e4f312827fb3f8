// Small combinators for validating messages received from a webview or a child process.
// A protocol file declares its message shapes with these once; both sides call the same validator.

export type Check = (v: unknown) => boolean;

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
export const int: Check = (v) => typeof v === 'number' && Number.isInteger(v);
export const index: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
export const str: Check = (v) => typeof v === 'string';
export const bool: Check = (v) => typeof v === 'boolean';
export const optional = (c: Check): Check => (v) => v === undefined || c(v);
export const nullable = (c: Check): Check => (v) => v === null || c(v);
export const oneOf = (...xs: readonly unknown[]): Check => (v) => xs.includes(v);
export const arrayOf = (c: Check, maxLength = Infinity): Check => (v) => Array.isArray(v) && v.length <= maxLength && v.every(c);
export const shape = (fields: Record<string, Check>): Check => (v) => isObj(v) && Object.entries(fields).every(([k, c]) => c(v[k]));
export const maxLen = (n: number): Check => (v) => typeof v === 'string' && v.length <= n;

/**
 * Validates a message against a table of shapes keyed by `type`; returns it typed, or a reason.
 * Unknown types and wrong shapes are rejected, never passed on.
 */
export function validateMessage<M extends { type: string }>(
  shapes: { [K in M['type']]: Check },
  v: unknown,
): { ok: true; message: M } | { ok: false; reason: string } {
  if (!isObj(v) || typeof v.type !== 'string') return { ok: false, reason: 'not a message object with a string "type"' };
  const c = (shapes as Record<string, Check>)[v.type];
  if (!c) return { ok: false, reason: `unknown message type "${v.type}"` };
  return c(v) ? { ok: true, message: v as M } : { ok: false, reason: `malformed "${v.type}" message` };
}

export const record = (c: Check): Check => (v) => isObj(v) && Object.values(v).every(c);

/** Thrown by `parseFields` with a message that names the side, the message type and the field. */
export class ProtocolError extends Error {}

/**
 * Validates a message against a table of required fields per `type`; throws a ProtocolError naming the first
 * field that is missing or malformed, so a bad message is reported precisely and never acted on.
 */
export function parseFields<T extends { type: string }>(raw: unknown, table: Record<string, Record<string, Check>>, side: string): T {
  if (!isObj(raw)) throw new ProtocolError(`${side}: message is not an object`);
  const type = raw.type;
  if (typeof type !== 'string' || !Object.hasOwn(table, type)) throw new ProtocolError(`${side}: unknown message type ${JSON.stringify(type)}`);
  for (const [name, check] of Object.entries(table[type])) {
    if (!check(raw[name])) throw new ProtocolError(`${side}: "${type}" message has a missing or malformed field "${name}"`);
  }
  return raw as unknown as T;
}
