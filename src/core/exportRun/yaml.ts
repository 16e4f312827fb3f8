// A small YAML writer for the configs an export emits (Axolotl, accelerate). Output is block style, every string
// that is not a plain word is double-quoted (JSON escapes are valid YAML), and floats always carry a dot so that
// PyYAML (YAML 1.1, what Axolotl and accelerate read with) parses them as numbers: it reads `2e-5` as a string.

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** A top-level key with comment lines written above it; `blankBefore` separates groups. */
export interface YamlEntry {
  key: string;
  value: YamlValue;
  comment?: string | string[];
  /** A comment at the end of the key's line (scalars only). */
  trailing?: string;
  blankBefore?: boolean;
}

const RESERVED = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i;
const PLAIN = /^[A-Za-z_./][A-Za-z0-9_./-]*$/;

export function yamlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} in a config`);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const s = String(n);
  const m = /^(-?\d+)(?:\.(\d+))?e([+-]?)(\d+)$/.exec(s);
  if (!m) return s;
  return `${m[1]}.${m[2] ?? '0'}e${m[3] || '+'}${m[4]}`;
}

export function yamlScalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return yamlNumber(v);
  return PLAIN.test(v) && !RESERVED.test(v) ? v : JSON.stringify(v);
}

function isScalar(v: YamlValue): v is string | number | boolean | null {
  return v === null || typeof v !== 'object';
}

function emitValue(key: string, value: YamlValue, indent: string, out: string[], trailing = ''): void {
  const k = yamlScalar(key);
  if (isScalar(value)) out.push(`${indent}${k}: ${yamlScalar(value)}${trailing}`);
  else if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${indent}${k}: []${trailing}`);
    else {
      out.push(`${indent}${k}:${trailing}`);
      emitList(value, indent + '  ', out);
    }
  } else if (Object.keys(value).length === 0) out.push(`${indent}${k}: {}${trailing}`);
  else {
    out.push(`${indent}${k}:${trailing}`);
    emitMap(value, indent + '  ', out);
  }
}

function emitMap(map: { [key: string]: YamlValue }, indent: string, out: string[]): void {
  for (const [k, v] of Object.entries(map)) emitValue(k, v, indent, out);
}

function emitList(list: YamlValue[], indent: string, out: string[]): void {
  for (const item of list) {
    if (isScalar(item)) out.push(`${indent}- ${yamlScalar(item)}`);
    else if (Array.isArray(item)) throw new Error('nested lists are not written by this exporter');
    else {
      const lines: string[] = [];
      emitMap(item, indent + '  ', lines);
      if (lines.length === 0) out.push(`${indent}- {}`);
      else out.push(`${indent}- ${lines[0].slice(indent.length + 2)}`, ...lines.slice(1));
    }
  }
}

export function yamlComment(text: string | string[], indent = ''): string[] {
  return (Array.isArray(text) ? text : [text]).flatMap((t) => t.split('\n')).map((l) => (l ? `${indent}# ${l}` : `${indent}#`));
}

/** A whole document: a header comment, then the entries in order. */
export function yamlDocument(entries: YamlEntry[], header: string[] = []): string {
  const out: string[] = [...yamlComment(header)];
  if (header.length) out.push('');
  for (const e of entries) {
    if (e.blankBefore && out.length && out[out.length - 1] !== '') out.push('');
    if (e.comment) out.push(...yamlComment(e.comment));
    emitValue(e.key, e.value, '', out, e.trailing ? `  # ${e.trailing}` : '');
  }
  return out.join('\n') + '\n';
}
