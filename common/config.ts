import { readFileSync } from 'node:fs';
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
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    config: { type: 'string' },
  };
  for (const [key, s] of Object.entries(props)) {
    const kind = kindOf(s);
    options[flagOf(key)] = kind === 'boolean' ? { type: 'boolean' } : kind === 'strings' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.replace(/\. To specify a positional.*$/s, '')} (see --help)`);
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

/** Help text listing every key with its flag, environment variable and description. */
export function configHelp(schema: TObject, usage: string): string {
  const lines = [usage, '', 'Options (flag, environment variable, or key in the --config file):'];
  for (const [key, s] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const d = (s as { description?: string }).description ?? '';
    lines.push(`  --${flagOf(key)}${kindOf(s) === 'boolean' ? '' : ' VALUE'}`.padEnd(32) + `${envOf(key)}`.padEnd(36) + d);
  }
  lines.push(`  --config FILE`.padEnd(32) + 'CROSSPROBE_CONFIG'.padEnd(36) + 'YAML or JSON file with the keys above');
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
