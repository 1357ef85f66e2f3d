import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { Kind, type TObject, type TSchema, type Static } from '@sinclair/typebox';
import { check, ConfigError } from '../proto/index.js';

/**
 * Parses a YAML or JSON document. JSON goes through JSON.parse: the YAML parser builds a node per
 * token, which for a 1,000-target file costs ~15 MB of peak memory on a small VPS.
 */
export function parseDocument(text: string): unknown {
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // YAML flow style also starts with { or [: let the YAML parser judge it
    }
  }
  return parseYaml(text);
}

/** camelCase key → --kebab-case flag. */
export const flagOf = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** camelCase key → CROSSPROBE_SNAKE_CASE environment variable. */
export const envOf = (key: string): string => `CROSSPROBE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

type FieldKind = 'string' | 'boolean' | 'integer' | 'strings';

function kindOf(s: TSchema): FieldKind {
  const k = (s as { [Kind]?: string })[Kind];
  if (k === 'Boolean') return 'boolean';
  if (k === 'Integer' || k === 'Number') return 'integer';
  if (k === 'Array') return 'strings';
  return 'string';
}

/**
 * The state directory systemd gives the service ($STATE_DIRECTORY, its first entry), or null. Relative
 * values are ignored: state is never resolved against the working directory.
 */
export function serviceStateDir(env: NodeJS.ProcessEnv): string | null {
  const dir = env.STATE_DIRECTORY?.split(':')[0];
  return dir && isAbsolute(dir) ? dir : null;
}

/** The user's state directory: $XDG_STATE_HOME, else ~/.local/state (XDG base directory specification; relative values ignored). */
export function userStateDir(env: NodeJS.ProcessEnv): string {
  const absolute = (p: string | undefined): string | null => (p && isAbsolute(p) ? p : null);
  return absolute(env.XDG_STATE_HOME) ?? join(absolute(env.HOME) ?? homedir(), '.local', 'state');
}

/** Edit distance between two short strings: insertions, deletions, substitutions, and swaps of neighbours (`--nast`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known option an unknown one was most likely meant to be: one is a prefix of the other
 * (`--target` for `--targets`), or a typo or two away (`--regoin`); null when nothing is close.
 */
export function closestOption(unknown: string, known: readonly string[]): string | null {
  const name = unknown.replace(/^-+/, '').split('=')[0]!.toLowerCase();
  if (name.length === 0) return null;
  let best: { option: string; score: number } | null = null;
  for (const option of known) {
    const prefix = name.length >= 3 && (option.startsWith(name) || name.startsWith(option));
    const score = prefix ? 0.5 : editDistance(name, option);
    if (score <= (name.length >= 6 ? 2 : 1) && (best === null || score < best.score)) best = { option, score };
  }
  return best?.option ?? null;
}

/**
 * Node's parseArgs errors as a user should read them: an unknown option with the likely one, a value
 * left out (`--nats --region x`: parseArgs calls it "ambiguous") naming the flag and the fix.
 */
export function parseArgsError(err: unknown, argv: readonly string[], known: readonly string[]): ConfigError {
  const message = (err as Error).message;
  const code = (err as { code?: string }).code;
  const option = /^Option '(-{1,2}[^' ]+)/.exec(message)?.[1] ?? /^Unknown option '([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    const close = closestOption(option, known);
    return new ConfigError(`Unknown option '${option}'${close === null ? '' : `; did you mean --${close}?`} (see --help)`);
  }
  // "argument missing" (the flag ends the line) or "argument is ambiguous" (another option follows it)
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined && /argument (missing|is ambiguous)/.test(message)) {
    const at = argv.indexOf(option);
    const next = at >= 0 ? argv[at + 1] : undefined;
    if (next === undefined) return new ConfigError(`${option} needs a value: ${option} VALUE (see --help)`);
    return new ConfigError(
      `${option} needs a value, but the next argument is the option "${next}": write ${option} VALUE ${next} … (a value that starts with "-" goes as ${option}=-VALUE) (see --help)`,
    );
  }
  return new ConfigError(`${message.replace(/\. To specify a positional.*$/s, '')} (see --help)`);
}

/** Options as parseArgs takes them, from a schema (plus --config). */
export function parseArgsOptions(schema: TObject): Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { config: { type: 'string' } };
  for (const [key, s] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const kind = kindOf(s);
    options[flagOf(key)] = kind === 'boolean' ? { type: 'boolean' } : kind === 'strings' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  return options;
}

export interface LoadedConfig<S extends TObject> {
  readonly config: Static<S>;
  /** Positional arguments left after the flags. */
  readonly positionals: string[];
}

/**
 * One configuration for one binary: defaults ← config file (--config / CROSSPROBE_CONFIG, YAML or
 * JSON) ← environment (CROSSPROBE_*) ← flags. Unknown flags and unknown file keys are rejected; the
 * merged result is validated against `schema` and every error names the key in all three spellings.
 */
export function loadConfig<S extends TObject>(
  schema: S,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaults: Partial<Static<S>>,
): LoadedConfig<S> {
  const props = schema.properties as Record<string, TSchema>;
  const options = parseArgsOptions(schema);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw parseArgsError(err, argv, Object.keys(options));
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const merged: Record<string, unknown> = { ...defaults };

  const file = (values.config as string | undefined) ?? env.CROSSPROBE_CONFIG;
  if (file) {
    let doc: unknown;
    try {
      doc = parseDocument(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`config file ${file}: ${(err as Error).message}`);
    }
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${file}: must be a mapping of keys to values`);
      for (const [k, v] of Object.entries(doc)) {
        if (!(k in props)) throw new ConfigError(`config file ${file}: unknown key "${k}" (known keys: ${Object.keys(props).join(', ')})`, k);
        merged[k] = v;
      }
    }
  }
  for (const [key, s] of Object.entries(props)) {
    const raw = env[envOf(key)];
    if (raw !== undefined && raw !== '') merged[key] = fromText(key, kindOf(s), raw, envOf(key));
  }
  for (const [key, s] of Object.entries(props)) {
    const v = values[flagOf(key)];
    if (v === undefined) continue;
    const kind = kindOf(s);
    merged[key] = kind === 'integer' ? fromText(key, kind, v as string, `--${flagOf(key)}`) : v;
  }
  // every required key left out, at once, rather than one per attempt
  const missing = ((schema.required ?? []) as string[]).filter((k) => merged[k] === undefined);
  if (missing.length > 1) {
    throw new ConfigError(`${missing.map((k) => `${k} (--${flagOf(k)}, ${envOf(k)})`).join(', ')}: are required`, missing[0]);
  }
  try {
    return { config: Object.freeze(check(schema, merged)), positionals: parsed.positionals };
  } catch (err) {
    if (err instanceof ConfigError && err.field) {
      const top = err.field.split(/[.[]/)[0]!;
      if (top in props) throw new ConfigError(err.message.replace(err.field, `${err.field} (--${flagOf(top)}, ${envOf(top)})`), err.field);
    }
    throw err;
  }
}

function fromText(key: string, kind: FieldKind, raw: string, where: string): unknown {
  switch (kind) {
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${key} (${where}): must be true or false (got ${JSON.stringify(raw)})`, key);
    case 'integer': {
      const n = Number(raw);
      if (!Number.isInteger(n)) throw new ConfigError(`${key} (${where}): must be a whole number (got ${JSON.stringify(raw)})`, key);
      return n;
    }
    case 'strings':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return raw;
  }
}

/** How a default reads in --help; null: nothing worth showing (off, empty). */
export function showDefault(value: unknown): string | null {
  if (value === undefined || value === null || value === false) return null;
  if (Array.isArray(value)) return value.length === 0 ? null : value.join(',');
  return String(value);
}

export interface HelpOptions<S extends TObject> {
  /** The defaults the parser applies (the object given to loadConfig): each is shown after its option. */
  readonly defaults?: Partial<Static<S>>;
  /** Whether the command reads CROSSPROBE_* variables (a column of them); default true. */
  readonly env?: boolean;
}

/** Help text listing every key with its flag, environment variable, description and default. */
export function configHelp<S extends TObject>(schema: S, usage: string, opts: HelpOptions<S> = {}): string {
  const env = opts.env ?? true;
  const defaults = (opts.defaults ?? {}) as Record<string, unknown>;
  const lines = [usage, '', env ? 'Options (flag, environment variable, or key in the --config file):' : 'Options (flag, or key in the --config file):'];
  const row = (flag: string, variable: string, text: string) => flag.padEnd(32) + (env ? variable.padEnd(36) : '') + text;
  for (const [key, s] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const d = (s as { description?: string }).description ?? '';
    const shown = showDefault(defaults[key]);
    lines.push(row(`  --${flagOf(key)}${kindOf(s) === 'boolean' ? '' : ' VALUE'}`, envOf(key), shown === null ? d : `${d} (default: ${shown})`));
  }
  lines.push(row('  --config FILE', 'CROSSPROBE_CONFIG', 'YAML or JSON file with the keys above'));
  return lines.join('\n');
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
/** Parses "64MiB", "100MB", "1048576"; null when malformed. */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return null;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? null : Math.floor(Number(m[1]) * unit);
}
