// A small, strict argument parser: unknown flags and missing values are usage errors (exit 2), never stack traces.

export class UsageError extends Error {}
/** An error about a file the user named (missing, unreadable, a directory): exit 2, one line on stderr. */
export class InputError extends Error {}

export interface FlagSpec {
  /** Takes a value (`--out DIR`) or is a switch (`--json`). */
  type: 'string' | 'number' | 'boolean';
  alias?: string;
  /** May be given several times; values are collected in order. */
  multiple?: boolean;
  description: string;
  valueName?: string;
}

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | number | boolean | Array<string | number>>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positional: string[] = [];
  const flags: ParsedArgs['flags'] = {};
  const byAlias = new Map(Object.entries(spec).filter(([, s]) => s.alias).map(([k, s]) => [s.alias!, k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const alias = byAlias.get(arg.slice(1));
      if (!alias) throw new UsageError(`unknown option ${arg}`);
      name = alias;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    let value: string | number | boolean;
    if (s.type === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') throw new UsageError(`--${name} takes no value`);
      value = inline !== 'false';
    } else {
      const raw = inline ?? argv[++i];
      if (raw === undefined) throw new UsageError(`--${name} needs a value`);
      if (s.type === 'number') {
        const n = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} needs a number, got "${raw}"`);
        value = n;
      } else value = raw;
    }
    if (s.multiple) {
      const prev = flags[name];
      flags[name] = [...(Array.isArray(prev) ? prev : []), value as string | number];
    } else flags[name] = value;
  }
  return { positional, flags };
}

export function formatFlags(spec: Record<string, FlagSpec>): string {
  return Object.entries(spec)
    .map(([k, s]) => {
      const left = `${s.alias ? `-${s.alias}, ` : ''}--${k}${s.type === 'boolean' ? '' : ` ${s.valueName ?? (s.type === 'number' ? 'N' : 'VALUE')}`}`;
      return `  ${left.padEnd(28)} ${s.description}`;
    })
    .join('\n');
}
